/**
 * The client side of xcap-diff (RFC 5875 clause 5.2, RFC 5874): bring a local copy of a
 * document up to date from a `<document>` entry. The copy is patched only when its ETag is
 * the entry's previous-etag; otherwise (or when no patch is included, or it fails) the client
 * must fetch the document again.
 */
import { serializeDocument } from '@mcx/xml';
import { parseXmlDocument } from '../dom/parse.ts';
import { applyPatchOperation } from './patch-apply.ts';
import { parseXcapDiff, selectorScope, type DocumentDiff, type XcapDiff } from './xcap-diff.ts';

export interface LocalCopy {
  etag: string;
  body: string;
}

export type DiffApplication =
  /** The copy was patched; store `body` with `etag`. */
  | { action: 'patched'; sel: string; etag: string; body: string }
  /** Only the ETag changed (`<body-not-changed/>`). */
  | { action: 'etag-updated'; sel: string; etag: string }
  /** The copy already has new-etag. */
  | { action: 'up-to-date'; sel: string; etag: string }
  /** The document was deleted on the server (no new-etag). */
  | { action: 'deleted'; sel: string }
  /** Fetch the document again (ETag mismatch, no patch, or a patch that did not apply). */
  | { action: 'fetch'; sel: string; etag: string; reason: 'no-local-copy' | 'etag-mismatch' | 'no-patch' | 'patch-failed' };

/**
 * Applies one `<document>` entry to the local copy (undefined = the client has none).
 * `rootNamespaces` are the prefixes declared on the xcap-diff root (`XcapDiff.namespaces`),
 * in scope for the `sel` of every patch operation.
 */
export function applyDocumentEntry(entry: DocumentDiff, local: LocalCopy | undefined, rootNamespaces?: XcapDiff['namespaces']): DiffApplication {
  const sel = entry.sel;
  if (entry.newEtag === undefined) return { action: 'deleted', sel };
  const etag = entry.newEtag;
  if (local !== undefined && local.etag === etag) return { action: 'up-to-date', sel, etag };
  if (local === undefined) return { action: 'fetch', sel, etag, reason: 'no-local-copy' };
  if (entry.previousEtag === undefined || entry.previousEtag !== local.etag) return { action: 'fetch', sel, etag, reason: 'etag-mismatch' };
  if (entry.bodyNotChanged) return { action: 'etag-updated', sel, etag };
  const ops = entry.patch ?? [];
  if (ops.length === 0) return { action: 'fetch', sel, etag, reason: 'no-patch' };
  try {
    const doc = parseXmlDocument(local.body);
    for (const op of ops) applyPatchOperation(doc, op, selectorScope(rootNamespaces, entry.namespaces, op.namespaces));
    return { action: 'patched', sel, etag, body: serializeDocument(doc) };
  } catch {
    // PatchError, an unparsable copy or content: never keep a half-patched copy.
    return { action: 'fetch', sel, etag, reason: 'patch-failed' };
  }
}

/**
 * Applies a whole xcap-diff document; `lookup` returns the local copy for a `sel`
 * (the document selector relative to the XCAP root).
 */
export function applyXcapDiff(xml: string, lookup: (sel: string) => LocalCopy | undefined): DiffApplication[] {
  const diff = parseXcapDiff(xml);
  return diff.documents.map((entry) => applyDocumentEntry(entry, lookup(entry.sel), diff.namespaces));
}
