/**
 * Which failures are worth a retry (domain: "retries with backoff where that makes sense"):
 * transient = the peer could not be reached or said "later" (connection refused, HTTP 5xx,
 * OAuth `temporarily_unavailable`, SIP 408/480/500/503/504 or a local transport error);
 * definitive = the peer refused (OAuth `invalid_grant`, HTTP 401/403/404, SIP 403...).
 */
import type { SipResponse } from '@mcx/sip';
import { StepError, type StepName } from './states.ts';

const TRANSIENT_SIP = new Set([408, 480, 500, 503, 504]);

/** Retry-After as a delay (RFC 9110 clause 10.2.3: delay-seconds or an HTTP-date; RFC 3261 clause 20.33: delta-seconds, then parameters). */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  const seconds = /^(\d+)\s*(?:[;(]|$)/.exec(v);
  if (seconds) return Number(seconds[1]) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function sipFailure(step: StepName, res: SipResponse): StepError {
  const warning = res.headers.get('warning');
  const why = `SIP ${res.status} ${res.reason}${warning ? ` (${warning.replace(/^\d{3} \S+ /, '').replace(/^"|"$/g, '')})` : ''}${res.local ? ' [local]' : ''}`;
  return new StepError(step, why, TRANSIENT_SIP.has(res.status), retryAfterMs(res.headers.get('retry-after')));
}

export function httpFailure(step: StepName, status: number, what: string, retryAfter?: string | null): StepError {
  return new StepError(step, `${what}: HTTP ${status}`, status >= 500 || status === 429, retryAfterMs(retryAfter));
}

/** The HTTP response an error carries (oauth4webapi's ResponseBodyError `response`, openid-client's ClientError `cause`). */
function responseOf(e: { response?: unknown; cause?: unknown }): { status: number; headers: Headers } | undefined {
  for (const r of [e.response, e.cause]) {
    if (typeof r === 'object' && r !== null && typeof (r as Response).status === 'number' && (r as Response).headers instanceof Headers) return r as Response;
  }
  return undefined;
}

/** Maps anything thrown by fetch / openid-client / @mcx/auth to a StepError. */
export function classify(step: StepName, err: unknown): StepError {
  if (err instanceof StepError) return err;
  const e = err as { name?: string; message?: string; error?: string; error_description?: string; status?: number; code?: string; cause?: { code?: string; message?: string }; response?: unknown };
  const response = typeof e === 'object' && e !== null ? responseOf(e) : undefined;
  const retryAfter = retryAfterMs(response?.headers.get('retry-after'));
  if (typeof e?.error === 'string') {
    // OAuth error response (RFC 6749 clause 5.2 / RFC 8693 clause 2.2.2).
    const transient = e.error === 'temporarily_unavailable' || e.error === 'server_error' || (e.status ?? 0) >= 500;
    return new StepError(step, `${e.error}${e.error_description ? `: ${e.error_description}` : ''}`, transient, retryAfter);
  }
  if (response && response.status >= 400) {
    // An HTTP refusal that is no OAuth error document (openid-client: "unexpected HTTP response status code"): 5xx and 429 are transient.
    return new StepError(step, `${e?.message ?? 'HTTP error'}: HTTP ${response.status}`, response.status >= 500 || response.status === 429, retryAfter);
  }
  if (e?.name === 'LoginError') return new StepError(step, e.message ?? 'login failed', (e.status ?? 0) >= 500);
  const code = e?.cause?.code ?? e?.code;
  const message = `${e?.message ?? String(err)}${e?.cause?.message ? ` (${e.cause.message})` : ''}`;
  if (e?.name === 'TypeError' || (code && /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|UND_ERR/.test(code)) || /fetch failed|ECONNREFUSED/.test(message)) {
    return new StepError(step, `unreachable: ${message}`, true);
  }
  if (e?.name === 'OperationProcessingError' || e?.name === 'ResponseBodyError') {
    return new StepError(step, message, (e.status ?? 0) >= 500);
  }
  return new StepError(step, message, false);
}
