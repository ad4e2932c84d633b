/**
 * The server side of xcap-diff: the `<document>` entry for one change (RFC 5874 clause 4).
 * A created document carries only new-etag, a deleted one only previous-etag. A changed one
 * carries `<body-not-changed/>` when only the bytes changed, RFC 5261 patch operations when
 * they are smaller than the new document, and otherwise nothing: the client fetches.
 */
import { parseXmlDocument } from '../dom/parse.ts';
import { NotPatchable, generatePatch } from './patch-generate.ts';
import { renderDocumentDiff, type DocumentDiff } from './xcap-diff.ts';

export interface DocumentChange {
  /** The document selector relative to the XCAP root (RFC 5874 clause 4 `sel`). */
  sel: string;
  previousEtag?: string | undefined;
  newEtag?: string | undefined;
  previousBody?: string | undefined;
  newBody?: string | undefined;
}

export interface DiffOptions {
  /** false = never include patches (RFC 5875 diff-processing "no-patching"). */
  patching?: boolean;
}

/** Builds the `<document>` entry for one change. */
export function diffDocument(change: DocumentChange, options: DiffOptions = {}): DocumentDiff {
  const base: DocumentDiff = { sel: change.sel };
  if (change.previousEtag !== undefined) base.previousEtag = change.previousEtag;
  if (change.newEtag !== undefined) base.newEtag = change.newEtag;
  const { previousBody, newBody } = change;
  if (options.patching === false || change.previousEtag === undefined || change.newEtag === undefined || previousBody === undefined || newBody === undefined) {
    return base;
  }
  let oldDoc;
  let newDoc;
  try {
    oldDoc = parseXmlDocument(previousBody);
    newDoc = parseXmlDocument(newBody);
  } catch {
    return base;
  }
  let patch;
  try {
    patch = generatePatch(oldDoc, newDoc);
  } catch (e) {
    if (e instanceof NotPatchable) return base;
    throw e;
  }
  if (patch.ops.length === 0) return { ...base, bodyNotChanged: true };
  const patched: DocumentDiff = { ...base, patch: patch.ops };
  if (patch.namespaces.size > 0) patched.namespaces = Object.fromEntries(patch.namespaces);
  if (Buffer.byteLength(renderDocumentDiff(patched)) >= Buffer.byteLength(newBody)) return base;
  return patched;
}
