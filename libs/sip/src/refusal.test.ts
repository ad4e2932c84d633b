import { expect, it } from 'vitest';
import { SipRefusal } from './refusal.ts';

function rendered(refusal: SipRefusal): { status: number; reason: string | undefined; headers: unknown } {
  let out: { status: number; reason: string | undefined; headers: unknown } | undefined;
  refusal.respond({
    respond: (status, reason, options) => void (out = { status, reason, headers: options?.headers }),
  });
  return out!;
}

it('renders status, reason phrase and a quoted Warning whose text cannot break out of its quotes (RFC 3261 clause 20.43)', () => {
  const r = new SipRefusal(403, 'Forbidden - Invalid Access Token', {
    warning: { code: 399, agent: 'cms.example.net', text: 'bad "token"\r\nX-Injected: 1 \\' },
  });
  expect(rendered(r)).toEqual({
    status: 403,
    reason: 'Forbidden - Invalid Access Token',
    headers: { Warning: '399 cms.example.net "bad  token   X-Injected: 1  "' },
  });
});

it('adds Retry-After in whole seconds and the header fields a status requires', () => {
  expect(rendered(new SipRefusal(503, 'Service Unavailable', { retryAfter: 2.7 })).headers).toEqual({
    'Retry-After': '2',
  });
  expect(
    rendered(new SipRefusal(423, 'Interval Too Brief', { headers: { 'Min-Expires': '60' } })).headers,
  ).toEqual({ 'Min-Expires': '60' });
});

it('is thrown and caught as an Error carrying its status', () => {
  const thrown = (() => {
    try {
      throw new SipRefusal(400, 'Bad Request');
    } catch (e) {
      return e;
    }
  })();
  expect(thrown).toBeInstanceOf(SipRefusal);
  expect((thrown as SipRefusal).status).toBe(400);
});

it('refuses values that are no refusal: a 2xx status, a multi-line phrase, a warn-code that is not three digits', () => {
  expect(() => new SipRefusal(200, 'OK')).toThrow(RangeError);
  expect(() => new SipRefusal(403, 'Forbidden\r\nVia: x')).toThrow(RangeError);
  expect(() => new SipRefusal(403, 'Forbidden', { warning: { code: 3999, agent: 'a', text: 't' } })).toThrow(
    RangeError,
  );
});
