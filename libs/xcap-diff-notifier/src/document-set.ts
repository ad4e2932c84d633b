/**
 * What a server supplies about its documents to the xcap-diff notifier: which documents exist
 * with which ETag and body (the RFC 4825 XCAP root it serves), and how a change is announced.
 * Read from the server's in-memory view: building a NOTIFY costs no database query.
 */

/** One version of one XCAP document: its HTTP ETag (RFC 4825 clause 7.10) and, when known, its body. */
export interface DocumentVersion {
  readonly etag: string;
  /** The body; with the previous one it lets a NOTIFY carry RFC 5261 patch operations (RFC 5874). */
  readonly body?: string;
}

/** A change of one document, announced after the server's view holds the new version. */
export interface DocumentSetChange {
  /** Canonical document selector (RFC 4825 clause 6.2), relative to the XCAP root. */
  selector: string;
  /** The version before the change; undefined when the document was created. */
  previous?: DocumentVersion;
  /**
   * The users for whom the change may alter the collection or the read permission (e.g. a group's
   * members before and after, TS 24.481); needed when the set has a collection.
   */
  users?: Iterable<string>;
}

/**
 * RFC 5875 clause 4.3 lets a SUBSCRIBE list a directory (a URI ending in "/"): here, the collection
 * of the subscriber's own documents, which changes as documents join or leave it.
 */
export interface DocumentCollection {
  /** Whether `path` (relative to the XCAP root, ending in "/") names this collection. */
  matches(path: string): boolean;
  /** Selectors of the documents the collection holds for `user` now. */
  of(user: string): Iterable<string>;
}

export interface XcapDocumentSet {
  /** The current version of a document, undefined when it does not exist. */
  peek(selector: string): DocumentVersion | undefined;
  /** Calls `listener` after every change; returns the function that stops it. */
  onChange(listener: (change: DocumentSetChange) => void): () => void;
  /** The collection a SUBSCRIBE may name, and the resource of a SUBSCRIBE that lists none. */
  collection?: DocumentCollection;
}
