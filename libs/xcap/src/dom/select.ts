/**
 * Node selector evaluation on a namespace-aware DOM (RFC 4825 clause 6.3, XPath 1.0
 * semantics for the subset). Names: a prefix is resolved through the query's xmlns()
 * bindings (clause 6.4); an unprefixed element name is in the application usage's default
 * namespace (clause 6.3); an unprefixed attribute name is in no namespace.
 */
import type { Attr, Document, Element, Node } from '@xmldom/xmldom';
import { BadXcapUri } from '../errors/http-error.ts';
import type { QName } from '../uri/qname.ts';
import type { NodeSelector, Step } from '../uri/node-selector.ts';
import { childElements, isNamespaceDeclaration, XML_NS } from '@mcx/xml';

/** How names in a node selector are resolved. */
export interface SelectorContext {
  /** prefix → namespace URI, from the request URI's query component. */
  namespaces: ReadonlyMap<string, string>;
  /** The application usage's default document namespace. */
  defaultNamespace: string;
}

export interface ExpandedName {
  namespace: string | null;
  localName: string;
}

function resolvePrefix(prefix: string, ctx: SelectorContext): string {
  if (prefix === 'xml') return XML_NS;
  const ns = ctx.namespaces.get(prefix);
  if (ns === undefined) throw new BadXcapUri(`namespace prefix "${prefix}" is not bound in the query component`);
  return ns;
}

export function expandElementName(q: QName, ctx: SelectorContext): ExpandedName {
  return { namespace: q.prefix === null ? ctx.defaultNamespace : resolvePrefix(q.prefix, ctx), localName: q.localName };
}

export function expandAttributeName(q: QName, ctx: SelectorContext): ExpandedName {
  return { namespace: q.prefix === null ? null : resolvePrefix(q.prefix, ctx), localName: q.localName };
}

function sameNamespace(a: string | null | undefined, b: string | null): boolean {
  return (a ?? null) === b || ((a ?? '') === '' && (b ?? '') === '');
}

/** The element's attribute with the expanded name, excluding namespace declarations. */
export function findAttribute(el: Element, name: ExpandedName): Attr | undefined {
  for (let i = 0; i < el.attributes.length; i++) {
    const a = el.attributes[i]!;
    if (isNamespaceDeclaration(a)) continue;
    if ((a.localName ?? a.name) === name.localName && sameNamespace(a.namespaceURI, name.namespace)) return a;
  }
  return undefined;
}

/** Does the element pass the step's name test? */
export function passesNameTest(el: Element, step: Step, ctx: SelectorContext): boolean {
  if (step.name.kind === 'any') return true;
  const want = expandElementName(step.name, ctx);
  return (el.localName ?? el.nodeName) === want.localName && sameNamespace(el.namespaceURI, want.namespace);
}

/** Applies one step to one context node (document or element). */
export function applyStep(context: Node, step: Step, ctx: SelectorContext): Element[] {
  let matched = childElements(context).filter((el) => passesNameTest(el, step, ctx));
  if (step.position !== undefined) {
    const at = matched[step.position - 1];
    matched = at === undefined ? [] : [at];
  }
  if (step.attribute !== undefined) {
    const name = expandAttributeName(step.attribute.name, ctx);
    const value = step.attribute.value;
    matched = matched.filter((el) => findAttribute(el, name)?.value === value);
  }
  return matched;
}

/** The elements selected by `steps` from the document node. */
export function selectElements(doc: Document, steps: readonly Step[], ctx: SelectorContext): Element[] {
  let current: Node[] = [doc];
  for (const step of steps) {
    current = current.flatMap((n) => applyStep(n, step, ctx));
    if (current.length === 0) return [];
  }
  return current as Element[];
}

/** The single element `steps` select, or undefined when they select none or several. */
export function selectElement(doc: Document, steps: readonly Step[], ctx: SelectorContext): Element | undefined {
  const all = selectElements(doc, steps, ctx);
  return all.length === 1 ? all[0] : undefined;
}

/**
 * The number of leading steps that still select exactly one element: used for the
 * `<ancestor>` of a `no-parent` report (RFC 4825 clause 11.1).
 */
export function existingAncestorDepth(doc: Document, steps: readonly Step[], ctx: SelectorContext): number {
  for (let k = steps.length; k > 0; k--) {
    if (selectElement(doc, steps.slice(0, k), ctx) !== undefined) return k;
  }
  return 0;
}

/** Result of resolving a full node selector for a read (RFC 4825 clause 8.3). */
export type Selection =
  | { kind: 'element'; element: Element }
  | { kind: 'attribute'; element: Element; attribute: Attr }
  | { kind: 'namespace'; element: Element };

/** Resolves a node selector; undefined when nothing (or more than one node) is selected. */
export function resolveSelection(doc: Document, sel: NodeSelector, ctx: SelectorContext): Selection | undefined {
  const element = selectElement(doc, sel.steps, ctx);
  if (element === undefined) return undefined;
  if (sel.terminal === undefined) return { kind: 'element', element };
  if (sel.terminal.kind === 'namespace') return { kind: 'namespace', element };
  const attribute = findAttribute(element, expandAttributeName(sel.terminal.name, ctx));
  return attribute === undefined ? undefined : { kind: 'attribute', element, attribute };
}
