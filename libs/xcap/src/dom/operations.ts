/**
 * Element and attribute create/replace/delete on a document (RFC 4825 clause 8.2 PUT and
 * clause 8.4 DELETE). Each function mutates the given document (the caller passes a fresh
 * parse of the stored body, so a refused operation changes nothing) and enforces the rules
 * that do not depend on the application usage: the parent must exist (8.2.1 `no-parent`),
 * a GET of the request URI afterwards must return the content put (8.2.3/8.2.4
 * `cannot-insert`) and must not return anything after a delete (8.4 `cannot-delete`).
 */
import type { Document, Element, Node, Text } from '@xmldom/xmldom';
import { childElements, inScopeNamespaces, XMLNS_NS } from '@mcx/xml';
import { XcapError } from '../errors/xcap-error.ts';
import { HttpError } from '../errors/http-error.ts';
import { formatNodeSelector, type NodeSelector, type Step } from '../uri/node-selector.ts';
import { decodeAttValue } from '../uri/node-selector.ts';
import { parseElementFragment } from './parse.ts';
import {
  existingAncestorDepth,
  expandAttributeName,
  findAttribute,
  passesNameTest,
  selectElement,
  selectElements,
  type SelectorContext,
} from './select.ts';

export interface OperationContext extends SelectorContext {
  /** Absolute URI of the document, used to build `<ancestor>` URIs (RFC 4825 clause 11.1). */
  documentUri: string;
}

export interface OperationResult {
  /** True when the resource did not exist before (201), false on replacement (200). */
  created: boolean;
}

function noParent(doc: Document, steps: readonly Step[], ctx: OperationContext): XcapError {
  const depth = existingAncestorDepth(doc, steps, ctx);
  const ancestor =
    depth === 0
      ? ctx.documentUri
      : `${ctx.documentUri}/~~/${encodeURI(formatNodeSelector({ steps: steps.slice(0, depth) }))}`;
  return new XcapError({ tag: 'no-parent', ancestor }, 'the parent of the resource does not exist');
}

function isWhitespace(n: Node | null): n is Text {
  return n !== null && n.nodeType === 3 && /^\s*$/.test((n as Text).data);
}

/** Inserts `el` right after `ref`, repeating the indentation that precedes `ref`. */
function insertAfter(ref: Element, el: Element): void {
  const parent = ref.parentNode!;
  const indent = ref.previousSibling;
  const next = ref.nextSibling;
  if (isWhitespace(indent)) parent.insertBefore(indent.cloneNode(false), next);
  parent.insertBefore(el, next);
}

/** Inserts `el` right before `ref`, repeating the indentation that precedes `ref`. */
function insertBefore(ref: Element, el: Element): void {
  const parent = ref.parentNode!;
  const indent = ref.previousSibling;
  parent.insertBefore(el, ref);
  if (isWhitespace(indent)) parent.insertBefore(indent.cloneNode(false), ref);
}

/**
 * Where a new element goes (RFC 4825 clause 8.2.3): with a position predicate it becomes
 * the n-th sibling passing the name test; without, it follows the last such sibling, or the
 * last element child when there is none.
 */
function insertNew(parent: Node, el: Element, last: Step, ctx: SelectorContext): void {
  const children = childElements(parent);
  const same = children.filter((c) => passesNameTest(c, last, ctx));
  const n = last.position;
  if (n !== undefined && n <= same.length) {
    insertBefore(same[n - 1]!, el);
    return;
  }
  const anchor = same.length > 0 ? same[same.length - 1] : children[children.length - 1];
  if (anchor !== undefined) insertAfter(anchor, el);
  else parent.appendChild(el);
}

/** Element PUT (RFC 4825 clauses 8.2.1-8.2.4). */
export function putElement(doc: Document, sel: NodeSelector, body: string, ctx: OperationContext): OperationResult {
  const steps = sel.steps;
  const parentSteps = steps.slice(0, -1);
  const last = steps[steps.length - 1]!;
  const parent: Node | undefined = parentSteps.length === 0 ? doc : selectElement(doc, parentSteps, ctx);
  if (parent === undefined) throw noParent(doc, parentSteps, ctx);
  const fragment = parseElementFragment(body, parent);
  const element = doc.importNode(fragment, true) as Element;
  const existing = selectElements(doc, steps, ctx);
  if (existing.length > 1) throw new XcapError({ tag: 'cannot-insert' }, 'the node selector selects more than one element');
  const target = existing[0];
  if (target !== undefined) {
    target.parentNode!.replaceChild(element, target);
  } else {
    if (parent === doc) throw new XcapError({ tag: 'cannot-insert' }, 'a document has exactly one root element');
    insertNew(parent, element, last, ctx);
  }
  const after = selectElements(doc, steps, ctx);
  if (after.length !== 1 || after[0] !== element) {
    throw new XcapError({ tag: 'cannot-insert' }, 'a GET of the request URI would not return the element put');
  }
  return { created: target === undefined };
}

/** Element DELETE (RFC 4825 clause 8.4). */
export function deleteElement(doc: Document, sel: NodeSelector, ctx: OperationContext): void {
  const target = selectElement(doc, sel.steps, ctx);
  if (target === undefined) throw new HttpError(404, 'no such element');
  if (target.parentNode === doc) throw new XcapError({ tag: 'cannot-delete' }, 'delete the document instead of its root element');
  const indent = target.previousSibling;
  const parent = target.parentNode!;
  parent.removeChild(target);
  if (isWhitespace(indent)) parent.removeChild(indent);
  if (selectElements(doc, sel.steps, ctx).length > 0) {
    throw new XcapError({ tag: 'cannot-delete' }, 'a GET of the request URI would still select an element');
  }
}

/** Validates and decodes an attribute PUT body (RFC 4825 clause 8.2.2: AttValue without quotes). */
export function parseAttributeBody(body: string): string {
  const value = decodeAttValue(body, null);
  if (value === undefined || (body.includes('"') && body.includes("'"))) {
    throw new XcapError({ tag: 'not-xml-att-value' }, 'body is not a valid XML attribute value');
  }
  return value;
}

/** Attribute PUT (RFC 4825 clauses 8.2.1-8.2.4). */
export function putAttribute(doc: Document, sel: NodeSelector, value: string, ctx: OperationContext): OperationResult {
  if (sel.terminal?.kind !== 'attribute') throw new Error('not an attribute selector');
  const element = selectElement(doc, sel.steps, ctx);
  if (element === undefined) throw noParent(doc, sel.steps, ctx);
  const name = expandAttributeName(sel.terminal.name, ctx);
  const existing = findAttribute(element, name);
  if (existing !== undefined) {
    if (existing.namespaceURI) element.setAttributeNS(existing.namespaceURI, existing.name, value);
    else element.setAttribute(existing.name, value);
  } else if (name.namespace === null) {
    element.setAttribute(name.localName, value);
  } else {
    const scope = inScopeNamespaces(element);
    let prefix = [...scope].find(([p, ns]) => p !== '' && ns === name.namespace)?.[0];
    if (prefix === undefined) {
      prefix = sel.terminal.name.prefix ?? 'ns';
      for (let i = 1; scope.has(prefix); i++) prefix = `ns${i}`;
      element.setAttributeNS(XMLNS_NS, `xmlns:${prefix}`, name.namespace);
    }
    element.setAttributeNS(name.namespace, `${prefix}:${name.localName}`, value);
  }
  const after = selectElement(doc, sel.steps, ctx);
  if (after !== element || findAttribute(element, name)?.value !== value) {
    throw new XcapError({ tag: 'cannot-insert' }, 'a GET of the request URI would not return the attribute put');
  }
  return { created: existing === undefined };
}

/** Attribute DELETE (RFC 4825 clause 8.4). */
export function deleteAttribute(doc: Document, sel: NodeSelector, ctx: OperationContext): void {
  if (sel.terminal?.kind !== 'attribute') throw new Error('not an attribute selector');
  const element = selectElement(doc, sel.steps, ctx);
  const name = expandAttributeName(sel.terminal.name, ctx);
  const attr = element === undefined ? undefined : findAttribute(element, name);
  if (element === undefined || attr === undefined) throw new HttpError(404, 'no such attribute');
  element.removeAttributeNode(attr);
  const after = selectElement(doc, sel.steps, ctx);
  if (after !== undefined && findAttribute(after, name) !== undefined) {
    throw new XcapError({ tag: 'cannot-delete' }, 'a GET of the request URI would still select an attribute');
  }
}
