/**
 * XCAP diff document (RFC 5874; namespace urn:ietf:params:xml:ns:xcap-diff), the NOTIFY body of
 * the xcap-diff event package (RFC 5875). Document changes carry `new-etag`/`previous-etag`
 * (created: new only; deleted: previous only; RFC 5874 clause 4) and either `<body-not-changed/>`
 * or RFC 5261 patch operations. Patch content is kept as XML text so libs/xcap can produce and
 * apply it; prefixes used in `sel` are declared on the root (`namespaces`, RFC 5261 clause 4.2.2).
 */
import type { Element } from '@xmldom/xmldom';
import { z } from 'zod';
import type { ElementCodec } from '../xml/binding.ts';
import { defineDocument } from '../xml/document-codec.ts';
import { DocumentError } from '../xml/document-error.ts';
import { contentSchema, extensionSchema, extractContent, extractExtension } from '../xml/extension.ts';
import { XMLNS_NS } from '../xml/namespaces.ts';
import { childElements, locate } from '../xml/safe-parse.ts';
import { xsAnyUri, xsBoolean, xsString } from '../xml/simple-types.ts';
import { outElement, type OutElement } from '../xml/writer.ts';

export const XCAP_DIFF_NS = 'urn:ietf:params:xml:ns:xcap-diff';
export const XCAP_DIFF_ROOT = 'xcap-diff';

const str = xsString.schema;
const uri = xsAnyUri.schema;

export const patchOperationSchema = z.discriminatedUnion('op', [
  /** RFC 5261 clause 4.3: `<add sel pos? type?>` content. */
  z.strictObject({ op: z.literal('add'), sel: str, pos: z.enum(['before', 'after', 'prepend']).optional(), type: str.optional(), content: contentSchema }),
  /** RFC 5261 clause 4.4: `<replace sel>` content. */
  z.strictObject({ op: z.literal('replace'), sel: str, content: contentSchema }),
  /** RFC 5261 clause 4.5: `<remove sel ws?>`. */
  z.strictObject({ op: z.literal('remove'), sel: str, ws: z.enum(['before', 'after', 'both']).optional() }),
]);
export type PatchOperation = z.infer<typeof patchOperationSchema>;

export const xcapDiffItemSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('document'),
    sel: uri,
    newEtag: str.optional(),
    previousEtag: str.optional(),
    bodyNotChanged: z.literal(true).optional(),
    patch: z.array(patchOperationSchema).min(1).optional(),
  }),
  /** RFC 5874 clause 5: element content (absent when `exists` is false). */
  z.strictObject({ kind: z.literal('element'), sel: uri, exists: z.boolean().optional(), content: extensionSchema.optional() }),
  /** RFC 5874 clause 6: attribute value. */
  z.strictObject({ kind: z.literal('attribute'), sel: uri, exists: z.boolean().optional(), value: str.optional() }),
]);
export type XcapDiffItem = z.infer<typeof xcapDiffItemSchema>;

export const xcapDiffSchema = z.strictObject({
  xcapRoot: uri,
  /** prefix -> namespace declarations on the root, for prefixes used in `sel` values. */
  namespaces: z.record(z.string().regex(/^[A-Za-z_][\w.-]*$/), uri).optional(),
  items: z.array(xcapDiffItemSchema).min(1).optional(),
  other: z.array(extensionSchema).min(1).optional(),
});
export type XcapDiff = z.infer<typeof xcapDiffSchema>;

function attrOf(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? el.getAttribute(name) ?? undefined : undefined;
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

function decodeDocument(el: Element, path: string): XcapDiffItem {
  const patch: PatchOperation[] = [];
  let bodyNotChanged: true | undefined;
  for (const ch of childElements(el)) {
    const p = `${path}/${ch.tagName}`;
    if (ch.namespaceURI !== XCAP_DIFF_NS) throw new DocumentError('schema', `unexpected element <${ch.tagName}>`, locate(ch, p));
    if (ch.localName === 'body-not-changed') bodyNotChanged = true;
    else if (ch.localName === 'add') {
      patch.push(defined({ op: 'add' as const, sel: need(ch, 'sel', p), pos: oneOf(ch, 'pos', ['before', 'after', 'prepend'], p), type: attrOf(ch, 'type'), content: extractContent(ch) }));
    } else if (ch.localName === 'replace') patch.push({ op: 'replace', sel: need(ch, 'sel', p), content: extractContent(ch) });
    else if (ch.localName === 'remove') patch.push(defined({ op: 'remove' as const, sel: need(ch, 'sel', p), ws: oneOf(ch, 'ws', ['before', 'after', 'both'], p) }));
    else throw new DocumentError('schema', `unexpected element <${ch.tagName}>`, locate(ch, p));
  }
  if (bodyNotChanged && patch.length) throw new DocumentError('schema', '<body-not-changed> excludes patch operations', locate(el, path));
  return defined({
    kind: 'document' as const,
    sel: need(el, 'sel', path),
    newEtag: attrOf(el, 'new-etag'),
    previousEtag: attrOf(el, 'previous-etag'),
    bodyNotChanged,
    patch: patch.length ? patch : undefined,
  });
}

const rootCodec: ElementCodec<XcapDiff> = {
  schema: xcapDiffSchema,
  decode(el, path) {
    const namespaces: Record<string, string> = {};
    const attrs = el.attributes;
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i);
      if (a && a.namespaceURI === XMLNS_NS && a.prefix === 'xmlns') namespaces[a.localName ?? ''] = a.value;
    }
    const items: XcapDiffItem[] = [];
    const other: string[] = [];
    for (const ch of childElements(el)) {
      const p = `${path}/${ch.tagName}`;
      if (ch.namespaceURI !== XCAP_DIFF_NS) {
        other.push(extractExtension(ch));
        continue;
      }
      if (ch.localName === 'document') items.push(decodeDocument(ch, p));
      else if (ch.localName === 'element') {
        const kids = childElements(ch);
        if (kids.length > 1) throw new DocumentError('schema', '<element> holds at most one element', locate(ch, p));
        items.push(defined({ kind: 'element' as const, sel: need(ch, 'sel', p), exists: bool(ch, 'exists', p), content: kids[0] ? extractExtension(kids[0]) : undefined }));
      } else if (ch.localName === 'attribute') {
        const exists = bool(ch, 'exists', p);
        // An existing attribute always has a value (possibly empty); exists="0" carries none.
        const value = exists === false && !ch.firstChild ? undefined : ch.textContent ?? '';
        items.push(defined({ kind: 'attribute' as const, sel: need(ch, 'sel', p), exists, value }));
      } else throw new DocumentError('schema', `unexpected element <${ch.tagName}>`, locate(ch, p));
    }
    return defined({
      xcapRoot: need(el, 'xcap-root', path),
      namespaces: Object.keys(namespaces).length ? namespaces : undefined,
      items: items.length ? items : undefined,
      other: other.length ? other : undefined,
    });
  },
  encode(v, ns, name) {
    const root = outElement(ns, name);
    if (v.namespaces) root.declarations = v.namespaces;
    root.attrs.push({ ns: null, name: 'xcap-root', value: v.xcapRoot });
    for (const it of v.items ?? []) {
      const e = outElement(ns, it.kind);
      e.attrs.push({ ns: null, name: 'sel', value: it.sel });
      if (it.kind === 'document') {
        if (it.newEtag !== undefined) e.attrs.push({ ns: null, name: 'new-etag', value: it.newEtag });
        if (it.previousEtag !== undefined) e.attrs.push({ ns: null, name: 'previous-etag', value: it.previousEtag });
        if (it.bodyNotChanged) e.children.push(outElement(ns, 'body-not-changed'));
        for (const op of it.patch ?? []) e.children.push(encodeOp(op, ns));
      } else {
        if (it.exists !== undefined) e.attrs.push({ ns: null, name: 'exists', value: it.exists ? '1' : '0' });
        if (it.kind === 'element' && it.content !== undefined) e.children.push({ raw: it.content });
        if (it.kind === 'attribute' && it.value !== undefined) {
          e.mixed = true;
          if (it.value !== '') e.children.push({ text: it.value });
        }
      }
      root.children.push(e);
    }
    for (const x of v.other ?? []) root.children.push({ raw: x });
    return root;
  },
};

function encodeOp(op: PatchOperation, ns: string | null): OutElement {
  const e = outElement(ns, op.op);
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

const document = defineDocument(XCAP_DIFF_NS, XCAP_DIFF_ROOT, rootCodec);

/** Parses an xcap-diff document. @throws DocumentError */
export const parseXcapDiff = (xml: string): XcapDiff => document.parse(xml);
/** Serializes an xcap-diff document. @throws DocumentError `invalid-model` */
export const serializeXcapDiff = (doc: XcapDiff): string => document.serialize(doc);
export const xcapDiffDocument = document;
