/**
 * DOM serialization with exact control over namespace declarations.
 *
 * `serializeNode` writes a node as it appears in its document: no namespace declaration is
 * added, which is what RFC 4825 clause 7.6 asks of an element fetch (the client learns the
 * prefixes through a namespace-binding fetch, clause 7.10). `serializeStandalone` adds the
 * declarations a fragment needs to be read on its own in a given scope, as RFC 5261 patch
 * content must be. The canonical, self-contained form of an unmodelled element (every needed
 * declaration on the element itself, sorted) is {@link extractExtension} in extension.ts.
 */
import type { CDATASection, Comment, Document, Element, Node, ProcessingInstruction, Text } from '@xmldom/xmldom';
import { escapeAttr, escapeText } from './escape.ts';
import { isNamespaceDeclaration } from './namespaces.ts';

function serializeInto(node: Node, out: string[], scope: Map<string, string> | null): void {
  switch (node.nodeType) {
    case 1: {
      const el = node as Element;
      out.push('<', el.nodeName);
      let inner = scope;
      if (scope !== null) {
        inner = new Map(scope);
        for (let i = 0; i < el.attributes.length; i++) {
          const a = el.attributes[i]!;
          if (a.name === 'xmlns') inner.set('', a.value);
          else if (a.name.startsWith('xmlns:')) inner.set(a.name.slice(6), a.value);
        }
        const needed: [string, string][] = [[el.prefix ?? '', el.namespaceURI ?? '']];
        for (let i = 0; i < el.attributes.length; i++) {
          const a = el.attributes[i]!;
          if (!isNamespaceDeclaration(a) && a.prefix && a.prefix !== 'xml') needed.push([a.prefix, a.namespaceURI ?? '']);
        }
        for (const [prefix, ns] of needed) {
          if ((inner.get(prefix) ?? '') !== ns) {
            out.push(prefix === '' ? ' xmlns' : ` xmlns:${prefix}`, '="', escapeAttr(ns), '"');
            inner.set(prefix, ns);
          }
        }
      }
      for (let i = 0; i < el.attributes.length; i++) {
        const a = el.attributes[i]!;
        out.push(' ', a.name, '="', escapeAttr(a.value), '"');
      }
      if (el.firstChild === null) {
        out.push('/>');
        return;
      }
      out.push('>');
      for (let c: Node | null = el.firstChild; c !== null; c = c.nextSibling) serializeInto(c, out, inner);
      out.push('</', el.nodeName, '>');
      return;
    }
    case 3:
      out.push(escapeText((node as Text).data));
      return;
    case 4:
      out.push('<![CDATA[', (node as CDATASection).data, ']]>');
      return;
    case 7: {
      const pi = node as ProcessingInstruction;
      out.push('<?', pi.target, pi.data ? ` ${pi.data}` : '', '?>');
      return;
    }
    case 8:
      out.push('<!--', (node as Comment).data, '-->');
      return;
    default:
      return;
  }
}

/** The node exactly as it appears in its document (RFC 4825 clause 7.6). */
export function serializeNode(node: Node): string {
  const out: string[] = [];
  serializeInto(node, out, null);
  return out.join('');
}

/** The node with the namespace declarations it needs relative to `scope` (prefix → URI). */
export function serializeStandalone(node: Node, scope: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  serializeInto(node, out, new Map(scope));
  return out.join('');
}

/** A whole document: an XML declaration (UTF-8, RFC 4825 clause 8.2.2) and the document's nodes. */
export function serializeDocument(doc: Document): string {
  const parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  for (let c: Node | null = doc.firstChild; c !== null; c = c.nextSibling) {
    if (c.nodeType === 7 && (c as ProcessingInstruction).target === 'xml') continue;
    if (c.nodeType === 10 || c.nodeType === 3) continue;
    parts.push(serializeNode(c));
  }
  return parts.join('\n') + '\n';
}
