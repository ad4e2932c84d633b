/**
 * Conditional requests on XCAP resources (RFC 4825 clause 7.11, RFC 9110 clause 13.2.2).
 *
 * - The entity tag of every resource in a document is the document's ETag (RFC 4825
 *   clause 8.5), also for an element or attribute that is about to be created: an insert made
 *   conditional on the document version is the use case of clause 7.11.
 * - `*` tests whether the target resource itself exists (RFC 9110 clauses 13.1.1/13.1.2).
 * - If-Match uses the strong comparison; If-None-Match the weak one (RFC 9110 clause 8.8.3.2).
 * - Order (RFC 9110 clause 13.2.2): If-Match first, then If-None-Match. A failed
 *   If-None-Match answers 304 to GET/HEAD and 412 to any other method.
 * - The caller skips evaluation when the response without preconditions would not be 2xx
 *   (RFC 9110 clause 13.2.1), e.g. a GET or DELETE of a missing resource stays 404.
 */
import { HttpError } from './errors/http-error.ts';
import { parseEntityTagList, quoteEtag } from './etag.ts';

export interface ConditionalHeaders {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
}

export interface ResourceState {
  /** The document's current ETag, when the document exists. */
  etag: string | undefined;
  /** Whether the target resource (document, element or attribute) exists. */
  exists: boolean;
}

export type ConditionalOutcome = { result: 'proceed' } | { result: 'not-modified'; etag: string } | { result: 'precondition-failed' };

export function evaluatePreconditions(method: string, headers: ConditionalHeaders, state: ResourceState): ConditionalOutcome {
  const safe = method === 'GET' || method === 'HEAD';
  // The request a synchronizing client repeats: only If-None-Match with the current tag, byte for
  // byte (the general path below answers it the same way, after parsing the list).
  const inm = headers.ifNoneMatch;
  if (headers.ifMatch === undefined && inm !== undefined && state.etag !== undefined && inm.length === state.etag.length + 2 && inm === `"${state.etag}"`) {
    return safe ? { result: 'not-modified', etag: state.etag } : { result: 'precondition-failed' };
  }
  if (headers.ifMatch !== undefined) {
    const list = parseEntityTagList(headers.ifMatch);
    if (list === undefined) throw new HttpError(400, 'malformed If-Match');
    const ok =
      list === '*'
        ? state.exists
        : state.etag !== undefined && list.some((t) => !t.weak && t.tag === state.etag);
    if (!ok) return { result: 'precondition-failed' };
  }
  if (headers.ifNoneMatch !== undefined) {
    const list = parseEntityTagList(headers.ifNoneMatch);
    if (list === undefined) throw new HttpError(400, 'malformed If-None-Match');
    const matched = list === '*' ? state.exists : state.etag !== undefined && list.some((t) => t.tag === state.etag);
    if (matched) {
      return safe && state.etag !== undefined ? { result: 'not-modified', etag: state.etag } : { result: 'precondition-failed' };
    }
  }
  return { result: 'proceed' };
}

/** 412 as an error value; RFC 4825 clause 7.11 sends no xcap-error body with it. */
export function preconditionFailed(etag: string | undefined): HttpError {
  return new HttpError(412, 'precondition failed', etag === undefined ? {} : { etag: quoteEtag(etag) });
}
