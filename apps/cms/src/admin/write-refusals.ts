/**
 * The admin API's and CSC-17's answer to a whole document that a write may not store, in their
 * JSON shape `{ error, detail }` (our choice): the RFC 4825 clause 11 condition names the error
 * (`constraint-failure`, `schema-validation-error`, `not-well-formed`), a body over the size
 * limit is 413 `payload_too_large`, and a full worker pool 503 + Retry-After (RFC 9110 clause
 * 15.6.4). Null when the document may be stored.
 */
import { WorkerPoolBusyError, xmlLimitViolation, type XmlLimits } from '@mcx/xml';
import type { DocumentVerdict } from '@mcx/xcap';
import type { WriteChecker } from '../csc4-xcap/write-checker.ts';
import type { WriteCheckInput } from '../csc4-xcap/write-checks.ts';

export interface WriteRefusal {
  status: 409 | 413 | 503;
  error: string;
  detail: string;
  headers?: Record<string, string>;
}

/** Limits counted on the text first (no DOM is built for a refused body), then the checker's verdict. */
export async function writeRefusal(checker: WriteChecker, limits: XmlLimits, input: WriteCheckInput): Promise<WriteRefusal | null> {
  const limit = xmlLimitViolation(input.xml, limits);
  if (limit !== null) {
    return limit.limit === 'maxBytes' ? { status: 413, error: 'payload_too_large', detail: limit.phrase } : { status: 409, error: 'constraint-failure', detail: limit.phrase };
  }
  let verdict: DocumentVerdict;
  try {
    verdict = await checker.check(input);
  } catch (e) {
    if (!(e instanceof WorkerPoolBusyError)) throw e;
    return { status: 503, error: 'temporarily_unavailable', detail: e.message, headers: { 'retry-after': String(e.retryAfterSeconds) } };
  }
  if (verdict === null) return null;
  switch (verdict.kind) {
    case 'not-well-formed':
      return { status: 409, error: 'not-well-formed', detail: verdict.phrase };
    case 'schema':
      return { status: 409, error: 'schema-validation-error', detail: verdict.issues.map((i) => i.message).join('; ') };
    case 'uniqueness':
      return { status: 409, error: 'uniqueness-failure', detail: verdict.phrase ?? 'a value must be unique' };
    default:
      return { status: 409, error: 'constraint-failure', detail: verdict.phrase };
  }
}
