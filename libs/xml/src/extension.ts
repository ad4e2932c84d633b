import type { Element, Node } from '@xmldom/xmldom';
import { z } from 'zod';
import { DocumentError } from './document-error.ts';
import { escapeAttr, escapeText } from './escape.ts';
import { XML_NS } from './namespaces.ts';
import { parseXml } from './parse.ts';

/**
 * An element this library does not model (content of `anyExt`, `##other` wildcards), kept as
 * a self-contained XML string: the element declares every namespace it uses, so it can be put
 * back into any document unchanged. The text is canonical (see {@link serializeNode}), so
 * parse(serialize(x)) returns the identical string.
 */
export type Extension = string;

export const extensionSchema = z.string().refine(isSingleElement, {
  message: 'an extension must be one well-formed XML element without a DOCTYPE',
});

function isSingleElement(s: string): boolean {
  try {
    parseXml(s);
    return true;
  } catch {
    return false;
  }
}

/** Serializes an element out of its document so that it carries all namespace declarations it needs. */
export function extractExtension(el: Element): Extension {
  const needed = new Map<string, string>();
  collectUndeclared(el, new Map(), needed);
  return serializeNode(el, needed);
}

/** Re-serializes an extension string canonically (what a parse/serialize cycle produces). */
export function canonicalizeExtension(xml: string): Extension {
  const doc = parseXml(xml);
  return extractExtension(doc.documentElement as Element);
}

/** Checks that a mixed-content fragment (e.g. RFC 5261 patch operation content) is well-formed. */
export function isWellFormedContent(s: string): boolean {
  try {
    parseXml(`<c>${s}</c>`);
    return true;
  } catch {
    return false;
  }
}

export const contentSchema = z.string().refine(isWellFormedContent, {
  message: 'content must be a well-formed XML fragment',
});

function collectUndeclared(el: Element, scope: Map<string, string>, needed: Map<string, string>): void {
  const local = new Map(scope);
  const attrs = el.attributes;
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i);
    if (!a) continue;
    if (a.name === 'xmlns') local.set('', a.value);
    else if (a.prefix === 'xmlns') local.set(a.localName ?? '', a.value);
  }
  const need = (prefix: string, ns: string) => {
    if (prefix === 'xml') return;
    if (local.get(prefix) === ns) return;
    if (!local.has(prefix) && !needed.has(prefix)) {
      needed.set(prefix, ns);
      local.set(prefix, ns);
    } else if (!local.has(prefix) && needed.get(prefix) === ns) {
      local.set(prefix, ns);
    }
  };
  need(el.prefix ?? '', el.namespaceURI ?? '');
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs.item(i);
    if (a?.prefix && a.prefix !== 'xmlns' && a.namespaceURI) need(a.prefix, a.namespaceURI);
  }
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) collectUndeclared(c as Element, local, needed);
  }
}

/** Canonical text of a node: attributes in document order, extra declarations appended sorted, empty elements self-closed. */
function serializeNode(node: Node, extraDeclarations: Map<string, string>): string {
  switch (node.nodeType) {
    case 1: {
      const el = node as Element;
      let out = `<${el.tagName}`;
      const attrs = el.attributes;
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs.item(i);
        if (a) out += ` ${a.name}="${escapeAttr(a.value)}"`;
      }
      for (const [prefix, ns] of [...extraDeclarations].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        if (prefix === 'xml' && ns === XML_NS) continue;
        out += prefix ? ` xmlns:${prefix}="${escapeAttr(ns)}"` : ` xmlns="${escapeAttr(ns)}"`;
      }
      if (!el.firstChild) return `${out}/>`;
      out += '>';
      for (let c: Node | null = el.firstChild; c; c = c.nextSibling) out += serializeNode(c, new Map());
      return `${out}</${el.tagName}>`;
    }
    case 3:
    case 4:
      return escapeText((node as Node & { data: string }).data);
    case 7: {
      const pi = node as Node & { target: string; data: string };
      return `<?${pi.target}${pi.data ? ` ${pi.data}` : ''}?>`;
    }
    case 8:
      return `<!--${(node as Node & { data: string }).data}-->`;
    default:
      throw new DocumentError('schema', `unsupported node type ${node.nodeType} in an extension`);
  }
}
