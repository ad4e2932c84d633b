/**
 * XCAP error document (RFC 4825 clause 11; `xcap-error.xsd`, namespace
 * urn:ietf:params:xml:ns:xcap-error, MIME application/xcap-error+xml). The root holds exactly
 * one error element; most go with 409 Conflict (RFC 4825 clause 11.1).
 */
import type { Element } from '@xmldom/xmldom';
import { z } from 'zod';
import type { ElementCodec } from '../xml/binding.ts';
import { defineDocument } from '../xml/document-codec.ts';
import { DocumentError } from '../xml/document-error.ts';
import { extensionSchema, extractExtension } from '../xml/extension.ts';
import { childElements, locate } from '../xml/safe-parse.ts';
import { xsAnyUri, xsString } from '../xml/simple-types.ts';
import { outElement } from '../xml/writer.ts';

export const XCAP_ERROR_NS = 'urn:ietf:params:xml:ns:xcap-error';
export const XCAP_ERROR_ROOT = 'xcap-error';

/** Error conditions that carry only an optional `phrase` (RFC 4825 clause 11.2). */
export const SIMPLE_XCAP_ERROR_CONDITIONS = [
  'not-well-formed',
  'not-xml-frag',
  'schema-validation-error',
  'not-xml-att-value',
  'cannot-insert',
  'cannot-delete',
  'constraint-failure',
  'not-utf-8',
] as const;
export type SimpleXcapErrorCondition = (typeof SIMPLE_XCAP_ERROR_CONDITIONS)[number];

const phrase = xsString.schema.optional();
export const xcapErrorSchema = z.discriminatedUnion('condition', [
  z.strictObject({ condition: z.enum(SIMPLE_XCAP_ERROR_CONDITIONS), phrase }),
  /** `<no-parent>` with the closest existing ancestor (RFC 4825 clause 11.2). */
  z.strictObject({ condition: z.literal('no-parent'), phrase, ancestor: xsAnyUri.schema.optional() }),
  /** `<uniqueness-failure>`: one `<exists field>` per non-unique value, with suggested `<alt-value>`s. */
  z.strictObject({
    condition: z.literal('uniqueness-failure'),
    phrase,
    exists: z.array(z.strictObject({ field: xsString.schema, altValues: z.array(xsString.schema).min(1).optional() })).min(1),
  }),
  /** `<extension>`: application-specific conditions, kept as XML. */
  z.strictObject({ condition: z.literal('extension'), content: z.array(extensionSchema).min(1).optional() }),
]);
export type XcapError = z.infer<typeof xcapErrorSchema>;
export type XcapErrorCondition = XcapError['condition'];

const rootCodec: ElementCodec<XcapError> = {
  schema: xcapErrorSchema,
  decode(el, path) {
    const kids = childElements(el);
    const first = kids[0];
    if (!first || kids.length > 1) throw new DocumentError('schema', '<xcap-error> holds exactly one error element', locate(el, path));
    const p = `${path}/${first.tagName}`;
    if (first.namespaceURI !== XCAP_ERROR_NS) throw new DocumentError('schema', `unexpected element <${first.tagName}>`, locate(first, p));
    const cond = first.localName ?? '';
    const ph = first.hasAttribute('phrase') ? first.getAttribute('phrase') ?? undefined : undefined;
    const withPhrase = <T extends object>(o: T) => (ph === undefined ? o : { ...o, phrase: ph });
    if ((SIMPLE_XCAP_ERROR_CONDITIONS as readonly string[]).includes(cond)) {
      return withPhrase({ condition: cond as SimpleXcapErrorCondition });
    }
    if (cond === 'no-parent') {
      const anc = childElements(first).find((c) => c.localName === 'ancestor');
      return withPhrase({ condition: 'no-parent' as const, ...(anc ? { ancestor: (anc.textContent ?? '').trim() } : {}) });
    }
    if (cond === 'uniqueness-failure') {
      const exists = childElements(first).map((ex: Element) => {
        if (ex.localName !== 'exists' || !ex.hasAttribute('field')) {
          throw new DocumentError('schema', '<uniqueness-failure> holds <exists field="..."> elements', locate(ex, `${p}/${ex.tagName}`));
        }
        const alts = childElements(ex).map((a) => a.textContent ?? '');
        return { field: ex.getAttribute('field') ?? '', ...(alts.length ? { altValues: alts } : {}) };
      });
      if (!exists.length) throw new DocumentError('schema', '<uniqueness-failure> needs at least one <exists>', locate(first, p));
      return withPhrase({ condition: 'uniqueness-failure' as const, exists });
    }
    if (cond === 'extension') {
      const content = childElements(first).map(extractExtension);
      return { condition: 'extension', ...(content.length ? { content } : {}) };
    }
    throw new DocumentError('schema', `unknown error condition <${first.tagName}>`, locate(first, p));
  },
  encode(v, ns, name) {
    const root = outElement(ns, name);
    const e = outElement(ns, v.condition);
    root.children.push(e);
    if ('phrase' in v && v.phrase !== undefined) e.attrs.push({ ns: null, name: 'phrase', value: v.phrase });
    if (v.condition === 'no-parent' && v.ancestor !== undefined) {
      const a = outElement(ns, 'ancestor');
      a.children.push({ text: v.ancestor });
      if (v.ancestor === '') a.mixed = true;
      e.children.push(a);
    }
    if (v.condition === 'uniqueness-failure') {
      for (const ex of v.exists) {
        const x = outElement(ns, 'exists');
        x.attrs.push({ ns: null, name: 'field', value: ex.field });
        for (const alt of ex.altValues ?? []) {
          const a = outElement(ns, 'alt-value');
          a.mixed = true;
          if (alt !== '') a.children.push({ text: alt });
          x.children.push(a);
        }
        e.children.push(x);
      }
    }
    if (v.condition === 'extension') for (const c of v.content ?? []) e.children.push({ raw: c });
    return root;
  },
};

const document = defineDocument(XCAP_ERROR_NS, XCAP_ERROR_ROOT, rootCodec);

/** Parses an xcap-error document. @throws DocumentError */
export const parseXcapError = (xml: string): XcapError => document.parse(xml);
/** Serializes an xcap-error document. @throws DocumentError `invalid-model` */
export const serializeXcapError = (doc: XcapError): string => document.serialize(doc);
export const xcapErrorDocument = document;

/** HTTP status that goes with an error document: 409 Conflict for every RFC 4825 clause 11 condition. */
export function xcapErrorHttpStatus(_error: XcapError): 409 {
  return 409;
}
