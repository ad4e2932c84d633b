import type { Scheduler } from '../scheduler.ts';
import type { Target } from '../transport/transport.ts';
import type { TransactionTimers } from './timers.ts';

/** What a transaction needs from the layers below it. */
export interface TransactionContext {
  scheduler: Scheduler;
  timers: TransactionTimers;
  /** Sends bytes; a rejected promise is a transport error (RFC 3261 clause 17.1.4). */
  send(data: Buffer, target: Target): Promise<void>;
}
