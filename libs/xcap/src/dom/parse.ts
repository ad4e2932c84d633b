/**
 * Request bodies as XCAP reads them: UTF-8 only (RFC 4825 clause 8.2.2: otherwise
 * `not-utf-8`), parsed by the one hardened parser of @mcx/xml (no DOCTYPE, so no entity is
 * ever declared or resolved; RFC 4825 clause 14), with its failures reported as the xcap-error
 * conditions of RFC 4825 clause 11.2 (`not-well-formed`, `not-xml-frag`).
 */
import type { Document, Element, Node, Text } from '@xmldom/xmldom';
import { DocumentError, escapeAttr, inScopeNamespaces, parseXml } from '@mcx/xml';
import { XcapError } from '../errors/xcap-error.ts';

export type XmlParseFailure = 'not-well-formed' | 'not-xml-frag';

/** Decodes a request body; throws `not-utf-8` (RFC 4825 clause 8.2.2). */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new XcapError({ tag: 'not-utf-8' }, 'body is not valid UTF-8');
  }
}

const DECL = /^\s*<\?xml\s[^?]*?encoding\s*=\s*["']([^"']+)["']/;

/** A declared encoding other than UTF-8 is refused with `not-utf-8` (RFC 4825 clause 8.2.2). */
function checkDeclaredEncoding(text: string): void {
  const m = DECL.exec(text);
  if (m && m[1]!.toLowerCase() !== 'utf-8') {
    throw new XcapError({ tag: 'not-utf-8' }, `declared encoding ${m[1]} is not UTF-8`);
  }
}

function parseAs(text: string, tag: XmlParseFailure, positions = true): Document {
  try {
    return parseXml(text, { positions });
  } catch (e) {
    if (e instanceof DocumentError) throw new XcapError({ tag }, e.code === 'doctype-forbidden' ? 'DOCTYPE and entity declarations are not accepted' : e.reason);
    throw e;
  }
}

/**
 * Parses a whole document; throws `not-well-formed` or `not-utf-8`. `stored`: a document this
 * server stored, whose nodes need no line and column (those of a client's body do, for the
 * element paths of schema issues; @mcx/xml parse.ts `positions`, a third less parsing).
 */
export function parseXmlDocument(text: string, options: { stored?: boolean } = {}): Document {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  checkDeclaredEncoding(body);
  return parseAs(body, 'not-well-formed', options.stored !== true);
}

/**
 * Parses an element fragment (RFC 4825 clause 7.4: the body of an element PUT is exactly
 * one element, whitespace around it allowed) in the namespace context of `context`, the node
 * it will be inserted under, so prefixes declared by the document's ancestors apply.
 * Throws `not-xml-frag`.
 */
export function parseElementFragment(text: string, context: Node): Element {
  if (/^\s*<\?xml/.test(text)) throw new XcapError({ tag: 'not-xml-frag' }, 'an element fragment has no XML declaration');
  const decls = [...inScopeNamespaces(context)]
    .filter(([p]) => p !== 'xml')
    .map(([p, ns]) => (p === '' ? ` xmlns="${escapeAttr(ns)}"` : ` xmlns:${p}="${escapeAttr(ns)}"`))
    .join('');
  const doc = parseAs(`<xcap-fragment${decls}>${text}</xcap-fragment>`, 'not-xml-frag');
  const wrapper = doc.documentElement!;
  let element: Element | undefined;
  for (let c: Node | null = wrapper.firstChild; c !== null; c = c.nextSibling) {
    if (c.nodeType === 1 && element === undefined) element = c as Element;
    else if (!(c.nodeType === 3 && /^\s*$/.test((c as Text).data))) {
      throw new XcapError({ tag: 'not-xml-frag' }, 'body must be exactly one element');
    }
  }
  if (element === undefined) throw new XcapError({ tag: 'not-xml-frag' }, 'body holds no element');
  return element;
}
