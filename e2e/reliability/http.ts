/**
 * One HTTP input of the catalogue and its verdict: sent over raw node:http (any method, the path
 * byte for byte), answered, classified by the interface's own refusal shape, with what it could
 * have changed compared before and after.
 */
import type { RawAnswer } from '@mcx/xcap/testing';
import type { Tally, Verdict } from './report.ts';

export interface HttpInput {
  input: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** Is this refusal in the shape of its interface? (the status is 4xx when asked) */
export type RefusalShape = (answer: RawAnswer) => boolean;

export const header = (a: RawAnswer, name: string): string => {
  const v = a.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
};

/** Our JSON APIs and OAuth (RFC 6749 clause 5.2): `application/json` with a string `error`, and a description. */
export const jsonError: RefusalShape = (a) => {
  if (!/^application\/json/.test(header(a, 'content-type'))) return false;
  try {
    const doc = JSON.parse(a.body.toString('utf8')) as { error?: unknown; error_description?: unknown; detail?: unknown };
    return typeof doc.error === 'string' && (typeof doc.error_description === 'string' || typeof doc.detail === 'string');
  } catch {
    return false;
  }
};

/**
 * A 401 of a bearer-protected resource names the Bearer scheme (RFC 6750 clause 3; not so the
 * OAuth token endpoint, RFC 6749 clause 5.2), a 405 lists what is allowed (RFC 9110 clause 15.5.6).
 */
export function statusShape(a: RawAnswer, bearer401 = true): boolean {
  if (a.status === 401) return !bearer401 || /^Bearer\b/i.test(header(a, 'www-authenticate'));
  if (a.status === 405) return header(a, 'allow') !== '';
  return true;
}

/** The `error` of a JSON answer, or the root element of an xcap-error (for the report). */
function errorCodeOf(a: RawAnswer): string {
  const text = a.body.subarray(0, 2000).toString('utf8');
  if (/json/.test(header(a, 'content-type'))) return /"error"\s*:\s*"([^"]*)"/.exec(text)?.[1] ?? '';
  return /<xcap-error[^>]*>\s*<([\w-]+)/.exec(text)?.[1] ?? '';
}

export function verdictOf(a: RawAnswer, shape: RefusalShape, bearer401 = true): Verdict {
  if (a.status >= 500) return '5xx';
  if (a.status >= 200 && a.status < 300) return 'accepted-invalid';
  if (a.status < 400) return 'not-spec-shaped';
  return shape(a) && statusShape(a, bearer401) ? 'refused' : 'not-spec-shaped';
}

/** Sends one input, records its verdict and whether `state()` changed. A reset connection is not a refusal. */
const lastState = new WeakMap<() => Promise<string>, string>();

/** Something other than an input changed the state (e.g. a login to get a code): read it afresh before the next input. */
export function stateChangedOutside(state: () => Promise<string>): void {
  lastState.delete(state);
}

/** Sends a request as written (@mcx/xcap/testing rawRequest, trusting the lab CA). */
export type RawSend = (method: string, url: string, headers?: Record<string, string>, body?: string | Buffer) => Promise<RawAnswer>;

export async function tryHttp(tally: Tally, surface: string, input: HttpInput, shape: RefusalShape, state: () => Promise<string>, raw: RawSend, options: { bearer401?: boolean } = {}): Promise<void> {
  // Inputs against one target run in order: the state after one is the state before the next.
  const before = lastState.get(state) ?? (await state());
  let answer: RawAnswer | undefined;
  let failure = '';
  try {
    answer = await raw(input.method, input.url, input.headers ?? {}, input.body);
  } catch (err) {
    failure = (err as Error).message;
  }
  const after = await state();
  lastState.set(state, after);
  tally.record({
    surface,
    input: input.input,
    verdict: answer ? verdictOf(answer, shape, options.bearer401 ?? true) : 'not-spec-shaped',
    answer: answer ? `${answer.status} ${header(answer, 'content-type')} ${errorCodeOf(answer)}`.trim() : `no answer: ${failure}`,
    changedState: before !== after,
  });
}
