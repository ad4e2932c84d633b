/**
 * HTTP overload control: while the event loop lags more than a bound, a request is answered at once
 * with `503 Service Unavailable` and `Retry-After` (RFC 9110 clause 15.6.4: "the server is currently
 * unable to handle the request due to a temporary overload"; clause 10.2.3: Retry-After in seconds)
 * instead of joining a queue it would leave only after its client gave up. The body is the JSON error
 * of the GMS's other 503s (`temporarily_unavailable`, as while the database is away).
 *
 * An Express middleware over any lag source (`LoopLagMonitor` of @mcx/sip, shared by the process);
 * nothing in it is specific to the GMS, so another server can mount it the same way (our choice).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface HttpOverloadOptions {
  /** The event loop lag now, ms (e.g. `sharedLoopLag()` of @mcx/sip). */
  lag: { readonly lagMs: number };
  /** Requests are refused while the lag exceeds this (ms). */
  maxLoopLagMs: number;
  /** Seconds in `Retry-After` (default 1). */
  retryAfter?: number;
}

export function httpOverload(options: HttpOverloadOptions): RequestHandler & { readonly refused: number } {
  const retryAfter = String(Math.max(0, Math.floor(options.retryAfter ?? 1)));
  let refused = 0;
  const handler = (_req: Request, res: Response, next: NextFunction): void => {
    const lag = options.lag.lagMs;
    if (lag <= options.maxLoopLagMs) return next();
    refused++;
    res
      .status(503)
      .setHeader('Retry-After', retryAfter)
      .json({ error: 'temporarily_unavailable', error_description: `the server is overloaded (event loop ${Math.round(lag)} ms late); retry after ${retryAfter} s` });
  };
  return Object.defineProperty(handler, 'refused', { get: () => refused }) as RequestHandler & { readonly refused: number };
}
