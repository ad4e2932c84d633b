/** Namespace names and bindings (W3C "Namespaces in XML 1.0", clauses 3 and 6). */
import type { Attr, Element, Node } from '@xmldom/xmldom';

/** The namespace bound to the `xml` prefix (clause 3). */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
/** The namespace of namespace declaration attributes (`xmlns`, `xmlns:p`; clause 3). */
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** True for an `xmlns` or `xmlns:p` declaration attribute. */
export function isNamespaceDeclaration(attr: Attr): boolean {
  return attr.namespaceURI === XMLNS_NS || attr.name === 'xmlns' || attr.name.startsWith('xmlns:');
}

/**
 * The bindings in scope at `node` (clause 6.1): prefix "" is the default namespace, an
 * undeclared default (`xmlns=""`) maps to "". `xml` is always bound.
 */
export function inScopeNamespaces(node: Node | null): Map<string, string> {
  const chain: Element[] = [];
  for (let n: Node | null = node; n !== null; n = n.parentNode) {
    if (n.nodeType === 1) chain.push(n as Element);
  }
  const out = new Map<string, string>([['xml', XML_NS]]);
  for (const el of chain.reverse()) {
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes[i]!;
      if (a.name === 'xmlns') out.set('', a.value);
      else if (a.name.startsWith('xmlns:')) out.set(a.name.slice(6), a.value);
    }
  }
  return out;
}

/** The prefixed namespace declarations written on `el` itself (prefix -> namespace), or undefined when it has none. */
export function declaredPrefixes(el: Element): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let any = false;
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes[i]!;
    if (a.name.startsWith('xmlns:')) {
      out[a.name.slice(6)] = a.value;
      any = true;
    }
  }
  return any ? out : undefined;
}

/** Clark notation `{namespace}local` (or `local` when there is no namespace). */
export function clarkName(namespace: string | null | undefined, localName: string): string {
  return namespace ? `{${namespace}}${localName}` : localName;
}

export function parseClarkName(name: string): { namespace: string | null; localName: string } {
  const m = /^\{([^}]*)\}(.+)$/.exec(name);
  return m ? { namespace: m[1] ?? null, localName: m[2] ?? '' } : { namespace: null, localName: name };
}
