/**
 * Storage of XCAP documents, keyed by canonical document selector (RFC 4825 clause 6.2).
 * Writes are compare-and-set on the ETag so concurrent conditional requests cannot lose an
 * update (RFC 4825 clause 7.11). The CMS implements this on its database with an in-memory
 * view so a conditional GET never costs a query.
 */

/**
 * One version of a document. Immutable: a store keeps one object per version and replaces it on
 * every committed write, so caches keyed by the object (`representationOf`, parsed DOMs) hold
 * exactly one version.
 */
export interface StoredDocument {
  /** Canonical percent-encoded document selector, e.g. `resource-lists/users/sip:a@b/index`. */
  selector: string;
  body: string;
  /** Unquoted strong ETag (see computeEtag). */
  etag: string;
  /** Increases by one with every change of the document, starting at 1. */
  version: number;
  contentType: string;
  updatedAt: Date;
}

/**
 * The expected current ETag of a write: `undefined` = unconditional, `null` = the document
 * must not exist, a string = the document must exist with this ETag.
 */
export type ExpectedEtag = string | null | undefined;

export interface PutOptions {
  ifEtag?: ExpectedEtag;
  contentType: string;
}

export interface DeleteOptions {
  ifEtag?: ExpectedEtag;
}

/** Thrown by a store when the compare-and-set of a write fails. */
export class EtagMismatch extends Error {
  constructor(
    readonly selector: string,
    readonly expected: ExpectedEtag,
    readonly actual: string | undefined,
  ) {
    super(`ETag mismatch on ${selector}: expected ${String(expected)}, found ${String(actual)}`);
    this.name = 'EtagMismatch';
  }
}

export interface DocumentStore {
  get(selector: string): Promise<StoredDocument | undefined>;
  /** Atomic compare-and-set; the store computes the ETag and the version. */
  put(selector: string, body: string, options: PutOptions): Promise<StoredDocument>;
  /** Atomic compare-and-set; resolves to the deleted document, undefined when there was none. */
  delete(selector: string, options?: DeleteOptions): Promise<StoredDocument | undefined>;
  /** Documents whose selector starts with `prefix` (e.g. an AUID's users tree of one XUI). */
  list?(prefix: string): Promise<StoredDocument[]>;
}
