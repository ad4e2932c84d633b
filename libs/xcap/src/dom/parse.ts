/**
 * Safe XML parsing: UTF-8 only (RFC 4825 clause 8.2.2: otherwise `not-utf-8`), any DOCTYPE
 * refused so no entity is ever declared or resolved (conventions; RFC 4825 clause 14
 * security), xmldom errors and warnings are fatal.
 */
import type { Document, Element, Node, Text } from '@xmldom/xmldom';
import { DOMParser } from '@xmldom/xmldom';
import { XcapError } from '../errors/xcap-error.ts';
import { inScopeNamespaces } from './namespaces.ts';
import { escapeAttribute } from './escape.ts';

export type XmlParseFailure = 'not-well-formed' | 'not-xml-frag';

/** Decodes a request body; throws `not-utf-8` (RFC 4825 clause 8.2.2). */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return text;
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

function refuseDoctype(text: string, tag: XmlParseFailure): void {
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new XcapError({ tag }, 'DOCTYPE and entity declarations are not accepted');
  }
}

function strictParser(tag: XmlParseFailure): DOMParser {
  return new DOMParser({
    onError: (_level: string, message: string) => {
      throw new XcapError({ tag }, message.split('\n', 1)[0]);
    },
  });
}

function parseWith(text: string, tag: XmlParseFailure): Document {
  try {
    return strictParser(tag).parseFromString(text, 'application/xml') as unknown as Document;
  } catch (e) {
    if (e instanceof XcapError) throw e;
    const cause = (e as { cause?: unknown }).cause;
    if (cause instanceof XcapError) throw cause;
    throw new XcapError({ tag }, e instanceof Error ? e.message.split('\n', 1)[0] : 'parse error');
  }
}

/** Parses a whole document; throws `not-well-formed` or `not-utf-8`. */
export function parseXmlDocument(text: string): Document {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  checkDeclaredEncoding(body);
  refuseDoctype(body, 'not-well-formed');
  const doc = parseWith(body, 'not-well-formed');
  if (doc.doctype !== null || doc.documentElement === null) {
    throw new XcapError({ tag: 'not-well-formed' }, 'no root element or DOCTYPE present');
  }
  return doc;
}

/**
 * Parses an element fragment (RFC 4825 clause 7.4: the body of an element PUT is exactly
 * one element, whitespace around it allowed) in the namespace context of `context`, the node
 * it will be inserted under, so prefixes declared by the document's ancestors apply.
 * Throws `not-xml-frag`.
 */
export function parseElementFragment(text: string, context: Node): Element {
  refuseDoctype(text, 'not-xml-frag');
  if (/^\s*<\?xml/.test(text)) throw new XcapError({ tag: 'not-xml-frag' }, 'an element fragment has no XML declaration');
  const decls = [...inScopeNamespaces(context)]
    .filter(([p]) => p !== 'xml')
    .map(([p, ns]) => (p === '' ? ` xmlns="${escapeAttribute(ns)}"` : ` xmlns:${p}="${escapeAttribute(ns)}"`))
    .join('');
  const doc = parseWith(`<xcap-fragment${decls}>${text}</xcap-fragment>`, 'not-xml-frag');
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
