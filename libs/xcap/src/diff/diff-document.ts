/**
 * The server side of xcap-diff: the `<document>` entry for one change (RFC 5874 clause 4).
 * A created document carries only new-etag, a deleted one only previous-etag. A changed one
 * carries `<body-not-changed/>` when only the bytes changed, RFC 5261 patch operations when
 * they are smaller than the new document, and otherwise nothing: the client fetches.
 *
 * Computing a patch parses both versions and compares their trees on the notifier's event loop,
 * which every server of `mcx up` shares: for documents of more than `maxPatchedElements`
 * elements (our choice, default 5,000: about a tenth of a second of work) no patch is computed
 * and the client fetches, as RFC 5874 clause 4 allows for any change.
 */
import { DEFAULT_XML_LIMITS, xmlLimitViolation } from '@mcx/xml';
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
  /** No patch for a document with more elements than this (default 5,000; the client fetches). */
  maxPatchedElements?: number;
}

export const DEFAULT_MAX_PATCHED_ELEMENTS = 5_000;

/** Whether `body` has more than `max` elements (counted on the text, without parsing). */
function tooLargeToPatch(body: string, max: number): boolean {
  return xmlLimitViolation(body, { ...DEFAULT_XML_LIMITS, maxBytes: Number.MAX_SAFE_INTEGER, maxElements: max, maxDepth: Number.MAX_SAFE_INTEGER, maxAttributesPerElement: Number.MAX_SAFE_INTEGER, maxAttributeValueLength: Number.MAX_SAFE_INTEGER })?.limit === 'maxElements';
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
  const maxElements = options.maxPatchedElements ?? DEFAULT_MAX_PATCHED_ELEMENTS;
  if (tooLargeToPatch(newBody, maxElements) || tooLargeToPatch(previousBody, maxElements)) return base;
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
