/**
 * Which failures are worth a retry (domain: "retries with backoff where that makes sense"):
 * transient = the peer could not be reached or said "later" (connection refused, HTTP 5xx,
 * OAuth `temporarily_unavailable`, SIP 408/480/500/503/504 or a local transport error);
 * definitive = the peer refused (OAuth `invalid_grant`, HTTP 401/403/404, SIP 403...).
 */
import type { SipResponse } from '@mcx/sip';
import { StepError, type StepName } from './states.ts';

const TRANSIENT_SIP = new Set([408, 480, 500, 503, 504]);

export function sipFailure(step: StepName, res: SipResponse): StepError {
  const warning = res.headers.get('warning');
  const why = `SIP ${res.status} ${res.reason}${warning ? ` (${warning.replace(/^\d{3} \S+ /, '').replace(/^"|"$/g, '')})` : ''}${res.local ? ' [local]' : ''}`;
  return new StepError(step, why, TRANSIENT_SIP.has(res.status));
}

export function httpFailure(step: StepName, status: number, what: string): StepError {
  return new StepError(step, `${what}: HTTP ${status}`, status >= 500 || status === 429);
}

/** Maps anything thrown by fetch / openid-client / @mcx/auth to a StepError. */
export function classify(step: StepName, err: unknown): StepError {
  if (err instanceof StepError) return err;
  const e = err as { name?: string; message?: string; error?: string; error_description?: string; status?: number; code?: string; cause?: { code?: string; message?: string } };
  if (typeof e?.error === 'string') {
    // OAuth error response (RFC 6749 clause 5.2 / RFC 8693 clause 2.2.2).
    const transient = e.error === 'temporarily_unavailable' || e.error === 'server_error' || (e.status ?? 0) >= 500;
    return new StepError(step, `${e.error}${e.error_description ? `: ${e.error_description}` : ''}`, transient);
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
