// Which failures are transient: an HTTP 5xx the OAuth client could not read as an OAuth error
// (openid-client's "unexpected HTTP response status code", e.g. a 500 page) is transient, a
// temporarily_unavailable 503 carries its Retry-After, a 4xx refusal is definitive.
import { describe, expect, it } from 'vitest';
import { classify, retryAfterMs } from './classify.ts';

/** What openid-client throws for a response that is not an OAuth error document: a ClientError whose cause is the response. */
function unexpectedStatus(status: number, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error('unexpected HTTP response status code'), { name: 'ClientError', code: 'OAUTH_RESPONSE_IS_NOT_CONFORM', cause: new Response('<h1>error</h1>', { status, headers }) });
}

/** What oauth4webapi throws for an OAuth error document (RFC 6749 clause 5.2). */
function oauthError(status: number, error: string, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error('server responded with an error in the response body'), { name: 'ResponseBodyError', status, error, response: new Response(null, { status, headers }) });
}

describe('classify', () => {
  it('takes an unreadable 5xx for transient and a 4xx for definitive', () => {
    expect(classify('migration-token', unexpectedStatus(500))).toMatchObject({ step: 'migration-token', transient: true, reason: expect.stringContaining('HTTP 500') });
    expect(classify('migration-token', unexpectedStatus(503, { 'retry-after': '2' }))).toMatchObject({ transient: true, retryAfterMs: 2000 });
    expect(classify('migration-token', unexpectedStatus(403))).toMatchObject({ transient: false });
  });

  it('keeps the Retry-After of temporarily_unavailable, and invalid_grant definitive', () => {
    expect(classify('token-exchange', oauthError(503, 'temporarily_unavailable', { 'retry-after': '3' }))).toMatchObject({ transient: true, retryAfterMs: 3000 });
    expect(classify('token-exchange', oauthError(400, 'invalid_grant'))).toMatchObject({ transient: false, retryAfterMs: undefined });
  });

  it('reads Retry-After as seconds, a SIP delta with parameters, or an HTTP-date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('5;duration=60')).toBe(5000);
    expect(retryAfterMs(new Date(20_000).toUTCString(), 10_000)).toBe(10_000);
    expect(retryAfterMs(null)).toBeUndefined();
  });
});
