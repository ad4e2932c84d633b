/**
 * Strong entity tags per document (RFC 4825 clause 8.5: one ETag for the whole document,
 * shared by every element and attribute resource in it; RFC 9110 clause 8.8.3).
 * The tag is derived from the stored bytes: base64url of their SHA-256.
 */
import { createHash } from 'node:crypto';

/** The opaque tag (unquoted) for a document body. */
export function computeEtag(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

/** The ETag header field value: a strong tag is a quoted string (RFC 9110 clause 8.8.3). */
export function quoteEtag(etag: string): string {
  return `"${etag}"`;
}

export type EntityTagList = '*' | { tag: string; weak: boolean }[];

/**
 * Parses an If-Match / If-None-Match field value (RFC 9110 clauses 13.1.1, 13.1.2):
 * `"*"` or a comma-separated list of entity-tags. Undefined when the value is malformed.
 */
export function parseEntityTagList(value: string): EntityTagList | undefined {
  const v = value.trim();
  if (v === '*') return '*';
  const out: { tag: string; weak: boolean }[] = [];
  const re = /\s*(W\/)?"([^"]*)"\s*(,|$)/y;
  let pos = 0;
  while (pos < v.length) {
    re.lastIndex = pos;
    const m = re.exec(v);
    if (!m) return undefined;
    out.push({ tag: m[2]!, weak: m[1] !== undefined });
    pos = re.lastIndex;
    if (m[3] === '') break;
  }
  return out.length > 0 && pos >= v.length ? out : undefined;
}
