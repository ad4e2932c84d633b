/**
 * Generation of RFC 5261 patch operations (`<add>`, `<replace>`, `<remove>`) that turn one
 * document into another. Per element: attribute changes, then the children: common prefix
 * and suffix are kept; a middle of the same shape is diffed pairwise, any other middle is
 * removed and re-added. Selectors are absolute location paths with explicit prefixes and
 * positions (RFC 5261 clause 4.1), computed for the state in which each operation applies.
 */
import type { Document, Element, Node, Text, Comment } from '@xmldom/xmldom';
import { escapeText, isNamespaceDeclaration, serializeNode, serializeStandalone, XML_NS } from '@mcx/xml';
import { nodeKind } from './patch-selector.ts';
import { XCAP_DIFF_NAMESPACE, type PatchOperation } from './xcap-diff.ts';

/** Patch generation gave up (root or prolog changed, or an unselectable node). */
export class NotPatchable extends Error {}

/**
 * The prefixes of the namespaces used in selectors, declared on the `<document>` entry. The
 * XML namespace keeps its own prefix `xml` and is never declared: it is bound by definition
 * and must not be bound to any other prefix (Namespaces in XML 1.0 clause 3), and the
 * RFC 5261 selector scope has it (e.g. `@xml:lang` of a user profile `<Name>`).
 */
class PrefixTable {
  readonly byNamespace = new Map<string, string>();
  prefixFor(el: Element): string {
    const ns = el.namespaceURI;
    if (!ns) throw new NotPatchable('element in no namespace');
    let p = this.byNamespace.get(ns);
    if (p === undefined) {
      p = `n${this.byNamespace.size + 1}`;
      this.byNamespace.set(ns, p);
    }
    return p;
  }
  attributeName(attrNs: string | null, local: string): string {
    if (!attrNs) return local;
    if (attrNs === XML_NS) return `xml:${local}`;
    let p = this.byNamespace.get(attrNs);
    if (p === undefined) {
      p = `n${this.byNamespace.size + 1}`;
      this.byNamespace.set(attrNs, p);
    }
    return `${p}:${local}`;
  }
}

function childList(n: Node): Node[] {
  const out: Node[] = [];
  for (let c: Node | null = n.firstChild; c !== null; c = c.nextSibling) if (nodeKind(c) !== undefined) out.push(c);
  return out;
}

function sameName(a: Node, b: Node): boolean {
  const ea = a as Element;
  const eb = b as Element;
  return (ea.localName ?? ea.nodeName) === (eb.localName ?? eb.nodeName) && (ea.namespaceURI || null) === (eb.namespaceURI || null);
}

function namespaceDecls(el: Element): string {
  const out: string[] = [];
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes[i]!;
    if (isNamespaceDeclaration(a)) out.push(`${a.name}=${a.value}`);
  }
  return out.sort().join(' ');
}

/** Patch operations turning `oldDoc` into `newDoc`, or NotPatchable. */
export function generatePatch(oldDoc: Document, newDoc: Document): { ops: PatchOperation[]; namespaces: Map<string, string> } {
  const memo = new WeakMap<Node, string>();
  const text = (n: Node): string => {
    let s = memo.get(n);
    if (s === undefined) {
      s = serializeNode(n);
      memo.set(n, s);
    }
    return s;
  };
  const equal = (a: Node, b: Node) => a.nodeType === b.nodeType && text(a) === text(b);
  const prefixes = new PrefixTable();
  const ops: PatchOperation[] = [];
  // The content scope of a patch operation: only the xcap-diff default namespace is bound.
  const opScope = new Map<string, string>([['', XCAP_DIFF_NAMESPACE]]);

  const prolog = (d: Document) =>
    childList(d).filter((n) => n.nodeType !== 3 && (n.nodeType !== 7 || (n as { target?: string }).target !== 'xml'));
  const oldTop = prolog(oldDoc);
  const newTop = prolog(newDoc);
  const oldRoot = oldDoc.documentElement;
  const newRoot = newDoc.documentElement;
  if (!oldRoot || !newRoot || oldTop.length !== newTop.length) throw new NotPatchable('prolog changed');
  for (let i = 0; i < oldTop.length; i++) {
    if (oldTop[i] === oldRoot) {
      if (newTop[i] !== newRoot) throw new NotPatchable('prolog changed');
    } else if (!equal(oldTop[i]!, newTop[i]!)) throw new NotPatchable('prolog changed');
  }
  if (!sameName(oldRoot, newRoot) || namespaceDecls(oldRoot) !== namespaceDecls(newRoot)) throw new NotPatchable('root changed');

  /** The step selecting `node` among `siblings` (which must contain it). */
  const stepFor = (node: Node, siblings: readonly Node[]): string => {
    const kind = nodeKind(node)!;
    let k = 0;
    for (const s of siblings) {
      if (nodeKind(s) === kind && (kind !== 'element' || sameName(s, node))) k++;
      if (s === node) break;
    }
    switch (kind) {
      case 'element':
        return `${prefixes.prefixFor(node as Element)}:${(node as Element).localName}[${k}]`;
      case 'text':
        return `text()[${k}]`;
      case 'comment':
        return `comment()[${k}]`;
      case 'pi':
        return `processing-instruction()[${k}]`;
    }
  };

  const diffElement = (o: Element, n: Element, path: string): void => {
    if (namespaceDecls(o) !== namespaceDecls(n)) {
      ops.push({ op: 'replace', sel: path, content: serializeStandalone(n, opScope) });
      return;
    }
    const attrs = (el: Element) => {
      const m = new Map<string, { ns: string | null; local: string; value: string }>();
      for (let i = 0; i < el.attributes.length; i++) {
        const a = el.attributes[i]!;
        if (isNamespaceDeclaration(a)) continue;
        m.set(`${a.namespaceURI ?? ''}|${a.localName ?? a.name}`, { ns: a.namespaceURI || null, local: a.localName ?? a.name, value: a.value });
      }
      return m;
    };
    const oa = attrs(o);
    const na = attrs(n);
    for (const [key, a] of oa) {
      const b = na.get(key);
      const name = prefixes.attributeName(a.ns, a.local);
      if (b === undefined) ops.push({ op: 'remove', sel: `${path}/@${name}` });
      else if (b.value !== a.value) ops.push({ op: 'replace', sel: `${path}/@${name}`, content: escapeText(b.value) });
    }
    for (const [key, b] of na) {
      if (!oa.has(key)) ops.push({ op: 'add', sel: path, type: `@${prefixes.attributeName(b.ns, b.local)}`, content: escapeText(b.value) });
    }
    diffChildren(o, n, path);
  };

  const diffChildren = (o: Element, n: Element, path: string): void => {
    const oc = childList(o);
    const nc = childList(n);
    let p = 0;
    while (p < oc.length && p < nc.length && equal(oc[p]!, nc[p]!)) p++;
    let s = 0;
    while (s < oc.length - p && s < nc.length - p && equal(oc[oc.length - 1 - s]!, nc[nc.length - 1 - s]!)) s++;
    const om = oc.slice(p, oc.length - s);
    const nm = nc.slice(p, nc.length - s);
    if (om.length === 0 && nm.length === 0) return;
    const pairwise =
      om.length === nm.length &&
      om.every((a, i) => {
        const b = nm[i]!;
        const ka = nodeKind(a);
        if (ka !== nodeKind(b) || a.nodeType !== b.nodeType) return false;
        return ka === 'element' ? sameName(a, b) : ka === 'text' || ka === 'comment';
      });
    if (pairwise) {
      om.forEach((a, i) => {
        const b = nm[i]!;
        const sel = `${path}/${stepFor(a, oc)}`;
        const kind = nodeKind(a);
        if (kind === 'element') diffElement(a as Element, b as Element, sel);
        else if (kind === 'text') ops.push({ op: 'replace', sel, content: b.nodeType === 4 ? serializeNode(b) : escapeText((b as Text).data) });
        else ops.push({ op: 'replace', sel, content: `<!--${(b as Comment).data}-->` });
      });
      return;
    }
    for (let i = om.length - 1; i >= 0; i--) ops.push({ op: 'remove', sel: `${path}/${stepFor(om[i]!, oc)}` });
    if (nm.length === 0) return;
    const content = nm.map((c) => serializeStandalone(c, opScope)).join('');
    if (p > 0) {
      ops.push({ op: 'add', sel: `${path}/${stepFor(oc[p - 1]!, oc)}`, pos: 'after', content });
    } else if (s > 0) {
      const remaining = oc.slice(oc.length - s);
      ops.push({ op: 'add', sel: `${path}/${stepFor(remaining[0]!, remaining)}`, pos: 'before', content });
    } else {
      ops.push({ op: 'add', sel: path, content });
    }
  };

  diffElement(oldRoot, newRoot, `/${prefixes.prefixFor(oldRoot)}:${oldRoot.localName}`);
  const namespaces = new Map<string, string>();
  for (const [ns, prefix] of prefixes.byNamespace) namespaces.set(prefix, ns);
  return { ops, namespaces };
}
