/** Transaction timer values (RFC 3261 clause 17.1.1.1 and Table 4). */
export interface TransactionTimers {
  /** RTT estimate, default 500 ms. */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests, default 4 s. */
  t2: number;
  /** Maximum duration a message remains in the network, default 5 s. */
  t4: number;
}

export const DEFAULT_TIMERS: TransactionTimers = { t1: 500, t2: 4000, t4: 5000 };
