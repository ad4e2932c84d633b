/**
 * Application of RFC 5261 patch operations (clauses 4.3 add, 4.4 replace, 4.5 remove) to a
 * client's copy. Content nodes are imported with namespace fix-up: declarations the target
 * scope already provides are dropped, missing ones are kept.
 */
import type { Document, Element, Node } from '@xmldom/xmldom';
import { inScopeNamespaces, isNamespaceDeclaration, parseXml, XMLNS_NS } from '@mcx/xml';
import { evaluatePatchSelector } from './patch-selector.ts';
import { XCAP_DIFF_NAMESPACE, type PatchOperation } from './xcap-diff.ts';

/** A patch operation that cannot be applied (RFC 5261 clause 5 error conditions). */
export class PatchError extends Error {
  constructor(
    readonly condition: 'invalid-patch-directive' | 'unlocated-node' | 'invalid-node-types' | 'unsupported-xml-id' | 'invalid-attribute-value',
    message: string,
  ) {
    super(`${condition}: ${message}`);
    this.name = 'PatchError';
  }
}

/** The content of an operation as nodes, read where it was written: inside an element whose default namespace is xcap-diff's. */
function contentOf(op: PatchOperation): { nodes: Node[]; text: string } {
  if (op.op === 'remove' || op.content === '') return { nodes: [], text: '' };
  const wrapper = parseXml(`<content xmlns="${XCAP_DIFF_NAMESPACE}">${op.content}</content>`).documentElement!;
  const nodes: Node[] = [];
  for (let c: Node | null = wrapper.firstChild; c !== null; c = c.nextSibling) nodes.push(c);
  return { nodes, text: wrapper.textContent ?? '' };
}

/** Removes declarations the new scope already has; declares what the element's names need. */
function fixNamespaces(node: Node, scope: Map<string, string>): void {
  if (node.nodeType !== 1) return;
  const el = node as Element;
  const inner = new Map(scope);
  for (let i = el.attributes.length - 1; i >= 0; i--) {
    const a = el.attributes[i]!;
    if (!isNamespaceDeclaration(a)) continue;
    const prefix = a.name === 'xmlns' ? '' : a.name.slice(6);
    if ((scope.get(prefix) ?? '') === a.value) el.removeAttributeNode(a);
    else inner.set(prefix, a.value);
  }
  const prefix = el.prefix ?? '';
  const ns = el.namespaceURI ?? '';
  if ((inner.get(prefix) ?? '') !== ns) {
    el.setAttributeNS(XMLNS_NS, prefix === '' ? 'xmlns' : `xmlns:${prefix}`, ns);
    inner.set(prefix, ns);
  }
  for (let c: Node | null = el.firstChild; c !== null; c = c.nextSibling) fixNamespaces(c, inner);
}

function importInto(doc: Document, nodes: Node[], parent: Node): Node[] {
  const scope = inScopeNamespaces(parent);
  return nodes.map((n) => {
    const imported = doc.importNode(n, true);
    fixNamespaces(imported, scope);
    return imported;
  });
}

function isWs(n: Node | null): boolean {
  return n !== null && n.nodeType === 3 && /^\s*$/.test(n.nodeValue ?? '');
}

/**
 * Applies one `<add>`, `<replace>` or `<remove>` operation to `doc`; `scope` resolves the
 * prefixes of its `sel` (RFC 5261 clause 4.2.2, see `selectorScope`).
 */
export function applyPatchOperation(doc: Document, op: PatchOperation, scope: ReadonlyMap<string, string>): void {
  const sel = op.sel;
  const target = evaluatePatchSelector(doc, sel, scope);
  if (target === undefined) throw new PatchError('unlocated-node', sel);
  const content = contentOf(op);
  const text = content.text;
  switch (op.op) {
    case 'add': {
      if (target.kind !== 'node') throw new PatchError('invalid-node-types', sel);
      const type = op.type;
      const pos = op.pos;
      if (type !== undefined && type !== '') {
        if (target.node.nodeType !== 1) throw new PatchError('invalid-node-types', sel);
        const el = target.node as Element;
        if (type.startsWith('namespace::')) {
          el.setAttributeNS(XMLNS_NS, `xmlns:${type.slice(11)}`, text);
          return;
        }
        if (!type.startsWith('@')) throw new PatchError('invalid-patch-directive', `type ${type}`);
        const name = type.slice(1);
        const i = name.indexOf(':');
        if (i < 0) el.setAttribute(name, text);
        else {
          const ns = scope.get(name.slice(0, i));
          if (ns === undefined) throw new PatchError('invalid-patch-directive', `unbound prefix in ${type}`);
          const existing = [...inScopeNamespaces(el)].find(([p, u]) => p !== '' && u === ns)?.[0];
          if (existing === undefined) el.setAttributeNS(XMLNS_NS, `xmlns:${name.slice(0, i)}`, ns);
          el.setAttributeNS(ns, `${existing ?? name.slice(0, i)}:${name.slice(i + 1)}`, text);
        }
        return;
      }
      const node = target.node;
      const parent = pos === 'before' || pos === 'after' ? node.parentNode : node;
      if (parent === null) throw new PatchError('invalid-node-types', sel);
      const nodes = importInto(doc, content.nodes, parent);
      if (pos === 'before') for (const n of nodes) parent.insertBefore(n, node);
      else if (pos === 'after') {
        const next = node.nextSibling;
        for (const n of nodes) parent.insertBefore(n, next);
      } else if (pos === 'prepend') {
        const first = node.firstChild;
        for (const n of nodes) parent.insertBefore(n, first);
      } else for (const n of nodes) parent.appendChild(n);
      return;
    }
    case 'replace': {
      if (target.kind === 'attribute') {
        if (target.attribute === undefined) throw new PatchError('unlocated-node', sel);
        target.element.setAttributeNS(target.attribute.namespaceURI, target.attribute.name, text);
        return;
      }
      if (target.kind === 'namespace') {
        target.element.setAttributeNS(XMLNS_NS, `xmlns:${target.prefix}`, text);
        return;
      }
      const node = target.node;
      const parent = node.parentNode!;
      const replacement = content.nodes.filter((n) => node.nodeType !== 1 || n.nodeType === 1);
      if (replacement.length !== 1 && !(node.nodeType !== 1 && replacement.length >= 1)) {
        throw new PatchError('invalid-node-types', `replace ${sel} needs one node`);
      }
      const nodes = importInto(doc, replacement, parent);
      for (const n of nodes) parent.insertBefore(n, node);
      parent.removeChild(node);
      return;
    }
    case 'remove': {
      if (target.kind === 'attribute') {
        if (target.attribute === undefined) throw new PatchError('unlocated-node', sel);
        target.element.removeAttributeNode(target.attribute);
        return;
      }
      if (target.kind === 'namespace') {
        const a = target.element.getAttributeNodeNS(XMLNS_NS, target.prefix);
        if (a === null) throw new PatchError('unlocated-node', sel);
        target.element.removeAttributeNode(a);
        return;
      }
      const node = target.node;
      const parent = node.parentNode!;
      const ws = op.ws;
      if ((ws === 'before' || ws === 'both') && isWs(node.previousSibling)) parent.removeChild(node.previousSibling!);
      if ((ws === 'after' || ws === 'both') && isWs(node.nextSibling)) parent.removeChild(node.nextSibling!);
      parent.removeChild(node);
      return;
    }
  }
}
