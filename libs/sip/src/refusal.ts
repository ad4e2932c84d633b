/**
 * A refused SIP request as one typed value that renders itself as the final response: the status
 * (RFC 3261 clause 21.4 client error, 21.5 server error, 21.6 global failure), the reason phrase,
 * an optional `Warning` (RFC 3261 clause 20.43: warn-code, warn-agent, quoted warn-text; 399 is
 * "miscellaneous warning") saying why, an optional `Retry-After` (RFC 3261 clause 20.33, e.g. on
 * a 503 when a server this one depends on is unreachable) and the header fields some statuses
 * require (e.g. `Min-Expires` on 423, RFC 3261 clause 20.23; `Allow-Events` on 489 Bad Event,
 * RFC 6665).
 *
 * It is an Error, so a check deep in a request's processing can throw it and the code that answers
 * the request responds with it.
 */
import type { IncomingRequest } from './endpoint.ts';

/** RFC 3261 clause 20.43: `Warning: <warn-code> <warn-agent> "<warn-text>"`. */
export interface SipWarning {
  /** Three digits; 399 = miscellaneous warning (RFC 3261 clause 20.43). */
  code: number;
  /** The host name (or a pseudonym) of the server adding the warning. */
  agent: string;
  /** Human-readable detail; quotes, backslashes and line breaks are replaced by spaces. */
  text: string;
}

export interface SipRefusalOptions {
  warning?: SipWarning;
  /** Seconds after which the request may be retried (RFC 3261 clause 20.33). */
  retryAfter?: number;
  /** Other header fields the status requires (`Min-Expires`, `Allow-Events`, `Accept`, `Allow`). */
  headers?: Record<string, string | string[]>;
}

export class SipRefusal extends Error {
  override readonly name = 'SipRefusal';
  readonly warning: SipWarning | undefined;
  readonly retryAfter: number | undefined;
  readonly #extra: Record<string, string | string[]>;

  constructor(
    /** 400..699: a request is refused with a final non-2xx response (RFC 3261 clause 8.2). */
    readonly status: number,
    readonly reasonPhrase: string,
    options: SipRefusalOptions = {},
  ) {
    if (!Number.isInteger(status) || status < 400 || status > 699)
      throw new RangeError(`a SIP refusal has a 4xx, 5xx or 6xx status, not ${status}`);
    if (/[\r\n]/.test(reasonPhrase))
      throw new RangeError('a reason phrase is one line (RFC 3261 clause 7.2)');
    super(
      options.warning ? `${status} ${reasonPhrase}: ${options.warning.text}` : `${status} ${reasonPhrase}`,
    );
    if (options.warning && !/^\d{3}$/.test(String(options.warning.code)))
      throw new RangeError(`a warn-code has three digits, not ${options.warning.code}`);
    this.warning = options.warning;
    this.retryAfter = options.retryAfter;
    this.#extra = options.headers ?? {};
  }

  /** The header fields of the response. */
  get headers(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = { ...this.#extra };
    if (this.warning) {
      const { code, agent, text } = this.warning;
      out['Warning'] = `${code} ${agent} "${text.replace(/["\\\r\n]/g, ' ')}"`;
    }
    if (this.retryAfter !== undefined) out['Retry-After'] = String(Math.max(0, Math.floor(this.retryAfter)));
    return out;
  }

  /** Sends this refusal as the final response to `request`. */
  respond(request: Pick<IncomingRequest, 'respond'>): void {
    request.respond(this.status, this.reasonPhrase, { headers: this.headers });
  }
}
