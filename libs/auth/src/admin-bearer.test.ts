import { describe, expect, it } from 'vitest';
import { adminBearer, isAdminCredential } from './admin-bearer.ts';

const TOKEN = 'the-admin-token-of-mcx-a';

/** Runs the middleware on a request with the given Authorization header; what it answered or `next`. */
function call(middleware: ReturnType<typeof adminBearer>, authorization?: string) {
  const answer: { next: boolean; status?: number; headers: Record<string, string>; body?: unknown } = { next: false, headers: {} };
  const res = {
    status(code: number) {
      answer.status = code;
      return res;
    },
    setHeader(name: string, value: string) {
      answer.headers[name.toLowerCase()] = value;
    },
    json(body: unknown) {
      answer.body = body;
    },
  };
  middleware({ headers: authorization === undefined ? {} : { authorization } }, res, () => (answer.next = true));
  return answer;
}

describe('isAdminCredential', () => {
  it('accepts exactly the admin token', () => {
    expect(isAdminCredential(TOKEN, TOKEN)).toBe(true);
    expect(isAdminCredential(`${TOKEN}x`, TOKEN)).toBe(false);
    expect(isAdminCredential(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(isAdminCredential(TOKEN.toUpperCase(), TOKEN)).toBe(false);
    expect(isAdminCredential(undefined, TOKEN)).toBe(false);
  });

  it('never accepts anything when no token is configured', () => {
    expect(isAdminCredential('', '')).toBe(false);
  });
});

describe('adminBearer (RFC 6750)', () => {
  const mw = adminBearer(TOKEN, { realm: 'cms-admin' });

  it('passes the admin credential on (scheme name case-insensitive, RFC 6750 clause 2.1)', () => {
    expect(call(mw, `Bearer ${TOKEN}`)).toEqual({ next: true, headers: {} });
    expect(call(mw, `bearer ${TOKEN}`).next).toBe(true);
  });

  it('refuses a wrong credential with 401, error="invalid_token" and an OAuth error body', () => {
    for (const authorization of [`Bearer ${TOKEN}x`, `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`, `Bearer`]) {
      const answer = call(mw, authorization);
      expect(answer.next).toBe(false);
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe(
        'Bearer realm="cms-admin", error="invalid_token", error_description="not the admin credential of this system"',
      );
      expect(answer.body).toEqual({ error: 'invalid_token', error_description: 'not the admin credential of this system' });
    }
  });

  it('challenges a request without credentials without an error code (RFC 6750 clause 3.1)', () => {
    const answer = call(mw);
    expect(answer).toMatchObject({ next: false, status: 401, headers: { 'www-authenticate': 'Bearer realm="cms-admin"' } });
    expect(answer.body).toEqual({ error: 'invalid_token', error_description: 'the admin credential is required' });
    expect(call(adminBearer(TOKEN)).headers['www-authenticate']).toBe('Bearer');
  });

  it('reads the current token on every request when given a function', () => {
    let current = 'first-admin-token';
    const dynamic = adminBearer(() => current);
    expect(call(dynamic, 'Bearer first-admin-token').next).toBe(true);
    current = 'second-admin-token';
    expect(call(dynamic, 'Bearer first-admin-token').status).toBe(401);
    expect(call(dynamic, 'Bearer second-admin-token').next).toBe(true);
  });
});
