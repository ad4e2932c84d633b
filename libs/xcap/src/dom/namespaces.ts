/** In-scope namespace bindings of an element (Namespaces in XML 1.0 clause 6.1). */
import type { Attr, Element, Node } from '@xmldom/xmldom';

export const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';
export const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';

/** True for an `xmlns` or `xmlns:p` declaration attribute. */
export function isNamespaceDeclaration(attr: Attr): boolean {
  return attr.namespaceURI === XMLNS_NAMESPACE || attr.name === 'xmlns' || attr.name.startsWith('xmlns:');
}

/**
 * The bindings in scope at `node` (prefix "" is the default namespace; an undeclared
 * default, `xmlns=""`, maps to ""). `xml` is always bound.
 */
export function inScopeNamespaces(node: Node | null): Map<string, string> {
  const chain: Element[] = [];
  for (let n: Node | null = node; n !== null; n = n.parentNode) {
    if (n.nodeType === 1) chain.push(n as Element);
  }
  const out = new Map<string, string>([['xml', XML_NAMESPACE]]);
  for (const el of chain.reverse()) {
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes[i]!;
      if (a.name === 'xmlns') out.set('', a.value);
      else if (a.name.startsWith('xmlns:')) out.set(a.name.slice(6), a.value);
    }
  }
  return out;
}
