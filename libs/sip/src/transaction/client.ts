/**
 * Non-INVITE client transaction (RFC 3261 clause 17.1.2, Figure 6).
 *
 * Trying --1xx--> Proceeding; Trying/Proceeding --final--> Completed --Timer K--> Terminated.
 * Timer E retransmits over unreliable transports (T1 doubling up to T2; T2 once
 * Proceeding); Timer F (64*T1) gives up with a locally generated 408.
 *
 * Timers E and F share one scheduler entry (our choice: a fan-out keeps thousands of transactions;
 * one timer each instead of two, re-armed at whichever of E and F is due first): the entry is due
 * at the next retransmission, or at 64*T1 when that comes first, and then reports the timeout. Timer
 * F still fires at exactly 64*T1 after the request was first sent (RFC 3261 clause 17.1.2.2).
 */
import type { SipResponse } from '../message/message.ts';
import type { TimerHandle } from '../scheduler.ts';
import type { Target } from '../transport/transport.ts';
import type { TransactionContext } from './context.ts';

export type ClientTransactionState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export type ClientFailure = 'timeout' | 'transport';

export interface ClientTransactionUser {
  /** Provisional and final responses (each final response once; retransmissions are absorbed). */
  onResponse(response: SipResponse): void;
  /** Timer F fired or the transport failed (RFC 3261 clause 17.1.2.2, 17.1.4). */
  onFailure(reason: ClientFailure): void;
  /** The transaction left the layer. */
  onTerminated(): void;
}

export class ClientTransaction {
  state: ClientTransactionState = 'trying';
  /** Timer E and Timer F, whichever is due first. */
  private timerEF: TimerHandle | undefined;
  private timerK: TimerHandle | undefined;
  private interval: number;
  /** ms since the request was first sent, at the time timerEF is due. */
  private elapsed = 0;

  constructor(
    private readonly ctx: TransactionContext,
    readonly key: string,
    /** The request as sent; dropped once Completed (Timer K only absorbs retransmitted responses: nothing is sent again). */
    private data: Buffer | undefined,
    private readonly target: Target,
    private readonly reliable: boolean,
    private readonly tu: ClientTransactionUser,
  ) {
    this.interval = ctx.timers.t1;
  }

  start(): void {
    this.transmit();
    this.armEF();
  }

  /** Arms the next of Timer E (unreliable transports only) and Timer F (64*T1 after the start). */
  private armEF(): void {
    const timerF = 64 * this.ctx.timers.t1;
    const delay = this.reliable ? timerF - this.elapsed : Math.min(this.interval, timerF - this.elapsed);
    this.elapsed += delay;
    this.timerEF = this.ctx.scheduler.schedule(delay, () => this.fireEF());
  }

  private fireEF(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    if (this.elapsed >= 64 * this.ctx.timers.t1) {
      // Timer F.
      this.terminate();
      this.tu.onFailure('timeout');
      return;
    }
    // Timer E.
    this.transmit();
    this.interval = this.state === 'proceeding' ? this.ctx.timers.t2 : Math.min(2 * this.interval, this.ctx.timers.t2);
    this.armEF();
  }

  receive(response: SipResponse): void {
    if (this.state === 'completed' || this.state === 'terminated') return; // retransmitted final
    if (response.status < 200) {
      this.state = 'proceeding';
      this.tu.onResponse(response);
      return;
    }
    this.state = 'completed';
    this.timerEF?.cancel();
    // Issue #14 (memory): over UDP the transaction stays for Timer K (T4, RFC 3261 clause 17.1.2.2)
    // without ever sending again, so the request's bytes need not stay with it.
    this.data = undefined;
    this.tu.onResponse(response);
    // Timer K: T4 for unreliable transports, zero for reliable ones.
    if (this.reliable) this.terminate();
    else this.timerK = this.ctx.scheduler.schedule(this.ctx.timers.t4, () => this.terminate());
  }

  /** Ends the transaction without a response (endpoint shutdown). */
  abort(): void {
    this.terminate();
  }

  private transmit(): void {
    if (!this.data) return;
    this.ctx.send(this.data, this.target).catch(() => {
      if (this.state === 'trying' || this.state === 'proceeding') {
        this.terminate();
        this.tu.onFailure('transport');
      }
    });
  }

  private terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timerEF?.cancel();
    this.timerK?.cancel();
    this.tu.onTerminated();
  }
}
