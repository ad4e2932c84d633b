/**
 * Non-INVITE server transaction (RFC 3261 clause 17.2.2, Figure 8).
 *
 * Trying --1xx--> Proceeding; Trying/Proceeding --final--> Completed --Timer J--> Terminated.
 * Retransmitted requests are absorbed in Trying and answered with the last response in
 * Proceeding and Completed, so the application sees each request once.
 */
import type { TimerHandle } from '../scheduler.ts';
import type { Target } from '../transport/transport.ts';
import type { TransactionContext } from './context.ts';

export type ServerTransactionState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/**
 * `data` in memory of its own when it is a slice of a larger buffer. A response under 4 KB is
 * serialized into a slice of Node's shared 8 KB allocation pool; kept for Timer J (32 s over UDP)
 * it would keep the whole slab alive (issue #14, memory: ~1,460 slabs, 11 MB, in the systems'
 * process near the end of `mcx bench migration --ues 1000`).
 */
function ownCopy(data: Buffer): Buffer {
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) return data;
  const copy = Buffer.allocUnsafeSlow(data.byteLength);
  data.copy(copy);
  return copy;
}

export class ServerTransaction {
  state: ServerTransactionState = 'trying';
  private lastResponse: Buffer | undefined;
  private timerJ: TimerHandle | undefined;
  /** Guards against a TU that never answers: the transaction is dropped after 64*T1 + T4. */
  private guard: TimerHandle | undefined;

  constructor(
    private readonly ctx: TransactionContext,
    readonly key: string,
    private readonly source: Target,
    private readonly reliable: boolean,
    private readonly onTerminated: () => void,
  ) {
    this.guard = ctx.scheduler.schedule(64 * ctx.timers.t1 + ctx.timers.t4, () => this.terminate());
  }

  /** A retransmission of the request arrived (RFC 3261 clause 17.2.2). */
  retransmission(): void {
    if ((this.state === 'proceeding' || this.state === 'completed') && this.lastResponse) this.transmit(this.lastResponse);
  }

  /** The TU sends a response; returns false when the transaction already sent a final one. */
  respond(data: Buffer, status: number): boolean {
    if (this.state === 'completed' || this.state === 'terminated') return false;
    this.lastResponse = data;
    this.transmit(data);
    if (status < 200) {
      this.state = 'proceeding';
      return true;
    }
    this.state = 'completed';
    this.guard?.cancel();
    // Timer J: 64*T1 for unreliable transports, zero for reliable ones.
    if (this.reliable) this.terminate();
    else {
      this.lastResponse = ownCopy(data);
      this.timerJ = this.ctx.scheduler.schedule(64 * this.ctx.timers.t1, () => this.terminate());
    }
    return true;
  }

  abort(): void {
    this.terminate();
  }

  private transmit(data: Buffer): void {
    // RFC 3261 clause 17.2.4: a transport failure is reported to the TU; a UA has nobody else
    // to tell, so the transaction simply ends.
    this.ctx.send(data, this.source).catch(() => this.terminate());
  }

  private terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timerJ?.cancel();
    this.guard?.cancel();
    this.onTerminated();
  }
}
