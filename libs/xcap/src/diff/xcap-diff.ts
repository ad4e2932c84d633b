/**
 * The XCAP Diff format (RFC 5874): an `<xcap-diff xcap-root>` holding `<document sel
 * previous-etag new-etag>` entries whose content is `<body-not-changed/>` or RFC 5261
 * patch operations (RFC 5874 clauses 4, 5). A created document carries only new-etag, a
 * deleted one only previous-etag (clause 4). Patches are included only when they are smaller
 * than the new document; otherwise the entry tells the client to fetch.
 */
import type { Element } from '@xmldom/xmldom';
import { escapeAttribute } from '../dom/escape.ts';
import { parseXmlDocument } from '../dom/parse.ts';
import { NotPatchable, generatePatch, renderPatchOperation, type PatchOperation } from './patch-generate.ts';

export const XCAP_DIFF_NAMESPACE = 'urn:ietf:params:xml:ns:xcap-diff';

export interface DocumentChange {
  /** The document selector relative to the XCAP root (RFC 5874 clause 4 `sel`). */
  sel: string;
  previousEtag?: string | undefined;
  newEtag?: string | undefined;
  previousBody?: string | undefined;
  newBody?: string | undefined;
}

export interface DocumentDiff {
  sel: string;
  previousEtag?: string;
  newEtag?: string;
  /** `body-not-changed`, the patch operations, or undefined when the client must fetch. */
  patch?: 'body-not-changed' | PatchOperation[];
  /** The `<document>` element. */
  xml: string;
}

export interface DiffOptions {
  /** false = never include patches (RFC 5875 diff-processing "no-patching"). */
  patching?: boolean;
}

function documentOpenTag(c: DocumentChange, namespaces: ReadonlyMap<string, string>): string {
  let out = `<document sel="${escapeAttribute(c.sel)}"`;
  if (c.previousEtag !== undefined) out += ` previous-etag="${escapeAttribute(c.previousEtag)}"`;
  if (c.newEtag !== undefined) out += ` new-etag="${escapeAttribute(c.newEtag)}"`;
  for (const [p, ns] of namespaces) out += ` xmlns:${p}="${escapeAttribute(ns)}"`;
  return out;
}

/** Builds the RFC 5874 `<document>` entry for one change. */
export function diffDocument(change: DocumentChange, options: DiffOptions = {}): DocumentDiff {
  const base: DocumentDiff = { sel: change.sel, xml: `${documentOpenTag(change, new Map())}/>` };
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
  if (patch.ops.length === 0) {
    return { ...base, patch: 'body-not-changed', xml: `${documentOpenTag(change, new Map())}><body-not-changed/></document>` };
  }
  const xml = `${documentOpenTag(change, patch.namespaces)}>${patch.ops.map(renderPatchOperation).join('')}</document>`;
  if (Buffer.byteLength(xml) >= Buffer.byteLength(newBody)) return base;
  return { ...base, patch: patch.ops, xml };
}

/** The complete xcap-diff document (RFC 5874 clause 4), `application/xcap-diff+xml`. */
export function renderXcapDiff(xcapRoot: string, documents: readonly DocumentDiff[]): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<xcap-diff xmlns="${XCAP_DIFF_NAMESPACE}" xcap-root="${escapeAttribute(xcapRoot)}">` +
    documents.map((d) => d.xml).join('') +
    '</xcap-diff>\n'
  );
}

/** A `<document>` entry read from an xcap-diff document. */
export interface ParsedDocumentEntry {
  sel: string;
  previousEtag?: string;
  newEtag?: string;
  bodyNotChanged: boolean;
  /** The entry element, for applying its patch operations. */
  element: Element;
}

export interface ParsedXcapDiff {
  xcapRoot: string;
  documents: ParsedDocumentEntry[];
}

/** Parses an xcap-diff document; element and attribute entries (RFC 5874 clause 5) are ignored. */
export function parseXcapDiff(xml: string): ParsedXcapDiff {
  const doc = parseXmlDocument(xml);
  const root = doc.documentElement!;
  if (root.namespaceURI !== XCAP_DIFF_NAMESPACE || root.localName !== 'xcap-diff') throw new Error('not an xcap-diff document');
  const documents: ParsedDocumentEntry[] = [];
  for (let c = root.firstChild; c !== null; c = c.nextSibling) {
    if (c.nodeType !== 1) continue;
    const el = c as Element;
    if (el.namespaceURI !== XCAP_DIFF_NAMESPACE || el.localName !== 'document') continue;
    const entry: ParsedDocumentEntry = { sel: el.getAttribute('sel') ?? '', bodyNotChanged: false, element: el };
    if (el.hasAttribute('previous-etag')) entry.previousEtag = el.getAttribute('previous-etag')!;
    if (el.hasAttribute('new-etag')) entry.newEtag = el.getAttribute('new-etag')!;
    for (let k = el.firstChild; k !== null; k = k.nextSibling) {
      if (k.nodeType === 1 && (k as Element).localName === 'body-not-changed') entry.bodyNotChanged = true;
    }
    documents.push(entry);
  }
  return { xcapRoot: root.getAttribute('xcap-root') ?? '', documents };
}

