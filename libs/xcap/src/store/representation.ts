/**
 * What a GET of a whole document sends, computed once per version of the document (our choice):
 * the quoted strong ETag (RFC 9110 clause 8.8.3) and the body's UTF-8 bytes. A store keeps one
 * `StoredDocument` object per version and replaces it on every committed write (the
 * DocumentStore contract), so a cache keyed by that object is filled on the first read of a
 * version and dropped with it: no request re-encodes 50 KB or rebuilds the header value.
 */
import { quoteEtag } from '../etag.ts';
import type { StoredDocument } from './document-store.ts';

export interface DocumentRepresentation {
  /** The ETag header field value, e.g. `"abc"`. */
  quotedEtag: string;
  /** The body as UTF-8 (what Content-Length counts). */
  bytes: Buffer;
}

const representations = new WeakMap<StoredDocument, DocumentRepresentation>();

/**
 * The UTF-8 bytes of `body` in memory of their own. `Buffer.from` puts a body under 4 KB into a
 * slice of Node's shared 8 KB allocation pool, and a slice kept for the life of a document version
 * keeps its whole 8 KB slab (issue #14, memory: ~2,300 slabs, 18 MB, pinned by cached
 * representations in the systems' process of `mcx bench migration --ues 1000`).
 */
function ownBytes(body: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(body, 'utf8'));
  bytes.write(body, 0, 'utf8');
  return bytes;
}

/** The representation of this version of the document (computed on first use). */
export function representationOf(doc: StoredDocument): DocumentRepresentation {
  let r = representations.get(doc);
  if (r === undefined) {
    r = { quotedEtag: quoteEtag(doc.etag), bytes: ownBytes(doc.body) };
    representations.set(doc, r);
  }
  return r;
}

/** The quoted ETag of this version, without encoding the body. */
export function quotedEtagOf(doc: StoredDocument): string {
  return representations.get(doc)?.quotedEtag ?? quoteEtag(doc.etag);
}
