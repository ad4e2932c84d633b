/**
 * The XCAP diff document (RFC 5874; namespace urn:ietf:params:xml:ns:xcap-diff,
 * `application/xcap-diff+xml`), the NOTIFY body of the xcap-diff event package (RFC 5875):
 * one model and one codec for the server that writes it (`diffDocument`, `renderXcapDiff`)
 * and the client that applies it (`applyDocumentEntry`).
 *
 * - `<document sel previous-etag? new-etag?>`: a created document carries only new-etag, a
 *   deleted one only previous-etag, a changed one both (RFC 5874 clause 4); its content is
 *   `<body-not-changed/>` or RFC 5261 patch operations.
 * - `<element sel exists?>` (the element itself) and `<attribute sel exists?>` (its value).
 * - `sel` of a document is its selector relative to the XCAP root (`xcap-root`).
 *
 * Patch operation content is XML text as it appears inside the operation element, made
 * self-contained: an element carries the namespace declarations it needs besides the
 * xcap-diff default namespace (an element in no namespace carries `xmlns=""`). CDATA,
 * comments and declaration placement are kept, so a patched copy is byte-identical to the
 * server's document. Prefixes used in `sel` are declared on the root, on `<document>` or on
 * the operation (RFC 5261 clause 4.2.2); the model keeps each set where it was declared.
 */
import type { Element, Node } from '@xmldom/xmldom';
import {
  childElements,
  contentSchema,
  declaredPrefixes,
  defineDocument,
  DocumentError,
  extensionSchema,
  extractExtension,
  locate,
  outElement,
  printXml,
  serializeStandalone,
  XML_NS,
  xsAnyUri,
  xsBoolean,
  xsString,
  type ElementCodec,
  type OutElement,
} from '@mcx/xml';
import { z } from 'zod';

export const XCAP_DIFF_NAMESPACE = 'urn:ietf:params:xml:ns:xcap-diff';
export const XCAP_DIFF_ROOT = 'xcap-diff';

const str = xsString.schema;
const uri = xsAnyUri.schema;
/** prefix -> namespace declarations written on one element (for prefixes used in `sel` values). */
const prefixes = z.record(z.string().regex(/^[A-Za-z_][\w.-]*$/), uri).optional();

export const patchOperationSchema = z.discriminatedUnion('op', [
  /** RFC 5261 clause 4.3: `<add sel pos? type?>` content (`type="@name"` adds an attribute whose value is the content). */
  z.strictObject({ op: z.literal('add'), sel: str, pos: z.enum(['before', 'after', 'prepend']).optional(), type: str.optional(), content: contentSchema, namespaces: prefixes }),
  /** RFC 5261 clause 4.4: `<replace sel>` content. */
  z.strictObject({ op: z.literal('replace'), sel: str, content: contentSchema, namespaces: prefixes }),
  /** RFC 5261 clause 4.5: `<remove sel ws?>`. */
  z.strictObject({ op: z.literal('remove'), sel: str, ws: z.enum(['before', 'after', 'both']).optional(), namespaces: prefixes }),
]);
export type PatchOperation = z.infer<typeof patchOperationSchema>;

/** A `<document>` entry: the change of one document (RFC 5874 clause 4). */
export const documentDiffSchema = z
  .strictObject({
    sel: uri,
    previousEtag: str.optional(),
    newEtag: str.optional(),
    bodyNotChanged: z.literal(true).optional(),
    patch: z.array(patchOperationSchema).min(1).optional(),
    namespaces: prefixes,
  })
  .refine((d) => !(d.bodyNotChanged && d.patch), { message: '<body-not-changed> excludes patch operations' });
export type DocumentDiff = z.infer<typeof documentDiffSchema>;

/** An `<element>` entry: the element (absent when `exists` is false). */
export const elementDiffSchema = z.strictObject({ sel: uri, exists: z.boolean().optional(), content: extensionSchema.optional() });
export type ElementDiff = z.infer<typeof elementDiffSchema>;

/** An `<attribute>` entry: the attribute value (absent when `exists` is false). */
export const attributeDiffSchema = z.strictObject({ sel: uri, exists: z.boolean().optional(), value: str.optional() });
export type AttributeDiff = z.infer<typeof attributeDiffSchema>;

/**
 * A whole xcap-diff document. `documents` is always present (possibly empty: a NOTIFY may list
 * none); element and attribute entries, rare outside element subscriptions, are absent when
 * there are none. The order between entries of different kinds is not kept.
 */
export const xcapDiffSchema = z.strictObject({
  xcapRoot: uri,
  namespaces: prefixes,
  documents: z.array(documentDiffSchema),
  elements: z.array(elementDiffSchema).min(1).optional(),
  attributes: z.array(attributeDiffSchema).min(1).optional(),
  /** Elements of other namespaces (the schema's `##other` wildcard), kept as self-contained XML. */
  other: z.array(extensionSchema).min(1).optional(),
});
export type XcapDiff = z.infer<typeof xcapDiffSchema>;

/** The scope patch content is read and written in: only the xcap-diff default namespace is assumed. */
const CONTENT_SCOPE: ReadonlyMap<string, string> = new Map([['', XCAP_DIFF_NAMESPACE]]);

/**
 * The namespace bindings `sel` of an operation is resolved with (RFC 5261 clause 4.2.2): the
 * declarations of the root, the `<document>` and the operation, over the xcap-diff default.
 */
export function selectorScope(...declarations: (Readonly<Record<string, string>> | undefined)[]): Map<string, string> {
  const scope = new Map<string, string>([['xml', XML_NS], ['', XCAP_DIFF_NAMESPACE]]);
  for (const d of declarations) for (const [p, ns] of Object.entries(d ?? {})) scope.set(p, ns);
  return scope;
}

function attrOf(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? (el.getAttribute(name) ?? undefined) : undefined;
}
function need(el: Element, name: string, path: string): string {
  const v = attrOf(el, name);
  if (v === undefined) throw new DocumentError('schema', `missing required attribute ${name}`, locate(el, `${path}/@${name}`));
  return v;
}
function bool(el: Element, name: string, path: string): boolean | undefined {
  const v = attrOf(el, name);
  if (v === undefined) return undefined;
  const b = xsBoolean.parse(v);
  if (b === undefined) throw new DocumentError('schema', `${name}="${v}" is not a boolean`, locate(el, `${path}/@${name}`));
  return b;
}
function oneOf<V extends string>(el: Element, name: string, values: readonly V[], path: string): V | undefined {
  const v = attrOf(el, name);
  if (v === undefined) return undefined;
  if (!values.includes(v as V)) throw new DocumentError('schema', `${name}="${v}" is not one of ${values.join(', ')}`, locate(el, `${path}/@${name}`));
  return v as V;
}
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The content of an operation element, self-contained in {@link CONTENT_SCOPE}. */
function contentOf(op: Element): string {
  let out = '';
  for (let c: Node | null = op.firstChild; c !== null; c = c.nextSibling) out += serializeStandalone(c, CONTENT_SCOPE);
  return out;
}

function decodeDocument(el: Element, path: string): DocumentDiff {
  const patch: PatchOperation[] = [];
  let bodyNotChanged: true | undefined;
  for (const ch of childElements(el)) {
    const p = `${path}/${ch.tagName}`;
    if (ch.namespaceURI !== XCAP_DIFF_NAMESPACE) throw new DocumentError('schema', `unexpected element <${ch.tagName}>`, locate(ch, p));
    const namespaces = declaredPrefixes(ch);
    if (ch.localName === 'body-not-changed') bodyNotChanged = true;
    else if (ch.localName === 'add') {
      patch.push(defined({ op: 'add' as const, sel: need(ch, 'sel', p), pos: oneOf(ch, 'pos', ['before', 'after', 'prepend'], p), type: attrOf(ch, 'type'), content: contentOf(ch), namespaces }));
    } else if (ch.localName === 'replace') patch.push(defined({ op: 'replace' as const, sel: need(ch, 'sel', p), content: contentOf(ch), namespaces }));
    else if (ch.localName === 'remove') patch.push(defined({ op: 'remove' as const, sel: need(ch, 'sel', p), ws: oneOf(ch, 'ws', ['before', 'after', 'both'], p), namespaces }));
    else throw new DocumentError('schema', `unexpected element <${ch.tagName}>`, locate(ch, p));
  }
  if (bodyNotChanged && patch.length) throw new DocumentError('schema', '<body-not-changed> excludes patch operations', locate(el, path));
  return defined({
    sel: need(el, 'sel', path),
    previousEtag: attrOf(el, 'previous-etag'),
    newEtag: attrOf(el, 'new-etag'),
    bodyNotChanged,
    patch: patch.length ? patch : undefined,
    namespaces: declaredPrefixes(el),
  });
}

function encodeOp(op: PatchOperation, ns: string | null): OutElement {
  const e = outElement(ns, op.op);
  if (op.namespaces) e.declarations = op.namespaces;
  e.attrs.push({ ns: null, name: 'sel', value: op.sel });
  if (op.op === 'add') {
    if (op.pos) e.attrs.push({ ns: null, name: 'pos', value: op.pos });
    if (op.type) e.attrs.push({ ns: null, name: 'type', value: op.type });
  }
  if (op.op === 'remove') {
    if (op.ws) e.attrs.push({ ns: null, name: 'ws', value: op.ws });
  } else if (op.content !== '') {
    e.mixed = true;
    e.children.push({ raw: op.content });
  }
  return e;
}

function encodeDocument(d: DocumentDiff, ns: string | null): OutElement {
  const e = outElement(ns, 'document');
  if (d.namespaces) e.declarations = d.namespaces;
  e.attrs.push({ ns: null, name: 'sel', value: d.sel });
  if (d.previousEtag !== undefined) e.attrs.push({ ns: null, name: 'previous-etag', value: d.previousEtag });
  if (d.newEtag !== undefined) e.attrs.push({ ns: null, name: 'new-etag', value: d.newEtag });
  if (d.bodyNotChanged) e.children.push(outElement(ns, 'body-not-changed'));
  for (const op of d.patch ?? []) e.children.push(encodeOp(op, ns));
  return e;
}

const rootCodec: ElementCodec<XcapDiff> = {
  schema: xcapDiffSchema,
  decode(el, path) {
    const documents: DocumentDiff[] = [];
    const elements: ElementDiff[] = [];
    const attributes: AttributeDiff[] = [];
    const other: string[] = [];
    for (const ch of childElements(el)) {
      const p = `${path}/${ch.tagName}`;
      if (ch.namespaceURI !== XCAP_DIFF_NAMESPACE) {
        other.push(extractExtension(ch));
        continue;
      }
      if (ch.localName === 'document') documents.push(decodeDocument(ch, p));
      else if (ch.localName === 'element') {
        const kids = childElements(ch);
        if (kids.length > 1) throw new DocumentError('schema', '<element> holds at most one element', locate(ch, p));
        elements.push(defined({ sel: need(ch, 'sel', p), exists: bool(ch, 'exists', p), content: kids[0] ? extractExtension(kids[0]) : undefined }));
      } else if (ch.localName === 'attribute') {
        const exists = bool(ch, 'exists', p);
        // An existing attribute always has a value (possibly empty); exists="0" carries none.
        const value = exists === false && !ch.firstChild ? undefined : (ch.textContent ?? '');
        attributes.push(defined({ sel: need(ch, 'sel', p), exists, value }));
      } else throw new DocumentError('schema', `unexpected element <${ch.tagName}>`, locate(ch, p));
    }
    return defined({
      xcapRoot: need(el, 'xcap-root', path),
      namespaces: declaredPrefixes(el),
      documents,
      elements: elements.length ? elements : undefined,
      attributes: attributes.length ? attributes : undefined,
      other: other.length ? other : undefined,
    });
  },
  encode(v, ns, name) {
    // Written on one line (our choice): a NOTIFY body is read by programs, and no whitespace
    // text nodes come between the entries and the patch operations.
    const root = outElement(ns, name);
    root.mixed = true;
    if (v.namespaces) root.declarations = v.namespaces;
    root.attrs.push({ ns: null, name: 'xcap-root', value: v.xcapRoot });
    for (const d of v.documents) root.children.push(encodeDocument(d, ns));
    for (const it of v.elements ?? []) {
      const e = outElement(ns, 'element');
      e.attrs.push({ ns: null, name: 'sel', value: it.sel });
      if (it.exists !== undefined) e.attrs.push({ ns: null, name: 'exists', value: it.exists ? '1' : '0' });
      if (it.content !== undefined) e.children.push({ raw: it.content });
      root.children.push(e);
    }
    for (const it of v.attributes ?? []) {
      const e = outElement(ns, 'attribute');
      e.attrs.push({ ns: null, name: 'sel', value: it.sel });
      if (it.exists !== undefined) e.attrs.push({ ns: null, name: 'exists', value: it.exists ? '1' : '0' });
      if (it.value !== undefined) {
        e.mixed = true;
        if (it.value !== '') e.children.push({ text: it.value });
      }
      root.children.push(e);
    }
    for (const x of v.other ?? []) root.children.push({ raw: x });
    return root;
  },
};

export const xcapDiffDocument = defineDocument(XCAP_DIFF_NAMESPACE, XCAP_DIFF_ROOT, rootCodec);

/** Parses an xcap-diff document. @throws DocumentError */
export const parseXcapDiff = (xml: string): XcapDiff => xcapDiffDocument.parse(xml);

/** Serializes an xcap-diff model after checking it against {@link xcapDiffSchema}. @throws DocumentError `invalid-model` */
export const serializeXcapDiff = (diff: XcapDiff): string => xcapDiffDocument.serialize(diff);

/**
 * The NOTIFY body for `documents` built by `diffDocument` (RFC 5875 clause 4.4): the same
 * encoding as {@link serializeXcapDiff}, without re-checking entries that are valid by
 * construction (a notifier writes one body per subscriber).
 */
export function renderXcapDiff(xcapRoot: string, documents: readonly DocumentDiff[]): string {
  return printXml(rootCodec.encode({ xcapRoot, documents: [...documents] }, XCAP_DIFF_NAMESPACE, XCAP_DIFF_ROOT));
}

/**
 * One `<document>` entry as it is written inside an xcap-diff, where the xcap-diff namespace is
 * already the default (so the text carries no declaration of it): to weigh a patch against
 * the document, or to show it.
 */
export function renderDocumentDiff(d: DocumentDiff): string {
  const e = encodeDocument(d, null);
  e.mixed = true;
  return printXml(e, { declaration: false });
}
