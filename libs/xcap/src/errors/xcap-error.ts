/**
 * The XCAP error document (RFC 4825 clause 11; `xcap-error.xsd`, namespace
 * urn:ietf:params:xml:ns:xcap-error, `application/xcap-error+xml`) and the typed error that
 * renders it. The root holds exactly one error element; every condition RFC 4825 defines goes
 * with 409 Conflict (clause 11). The server throws {@link XcapError}; a client reads the body
 * of a 409 with {@link parseXcapError}.
 */
import type { Element } from '@xmldom/xmldom';
import {
  childElements,
  defineDocument,
  DocumentError,
  extensionSchema,
  extractExtension,
  isXmlChars,
  locate,
  outElement,
  xsAnyUri,
  xsString,
  type ElementCodec,
  type Extension,
} from '@mcx/xml';
import { z } from 'zod';
import { XCAP_ERROR_MIME } from '../mime.ts';

export const XCAP_ERROR_NAMESPACE = 'urn:ietf:params:xml:ns:xcap-error';
export const XCAP_ERROR_ROOT = 'xcap-error';

/** Error conditions that carry nothing but an optional `phrase` (RFC 4825 clause 11.2). */
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

/** One `<exists>` entry of a `<uniqueness-failure>` (RFC 4825 clause 11.2). */
export interface UniquenessExists {
  /** A relative node selector of the element or attribute that was not unique. */
  field: string;
  /** Alternate values the server proposes. */
  altValues?: readonly string[];
}

const str = xsString.schema;
export const xcapErrorConditionSchema = z.discriminatedUnion('tag', [
  z.strictObject({ tag: z.enum(SIMPLE_XCAP_ERROR_CONDITIONS) }),
  /** `<no-parent>` with the closest existing ancestor, an HTTP URI. */
  z.strictObject({ tag: z.literal('no-parent'), ancestor: xsAnyUri.schema.optional() }),
  /** `<uniqueness-failure>`: one `<exists field>` per value that is not unique, with suggested `<alt-value>`s. */
  z.strictObject({
    tag: z.literal('uniqueness-failure'),
    exists: z.array(z.strictObject({ field: str, altValues: z.array(str).min(1).readonly().optional() })).min(1).readonly(),
  }),
  /** `<extension>`: a condition of the application usage, kept as XML. */
  z.strictObject({ tag: z.literal('extension'), content: z.array(extensionSchema).min(1).readonly().optional() }),
]);
/** The error element of an xcap-error document, named by its `tag`. */
export type XcapErrorCondition =
  | { tag: SimpleXcapErrorCondition }
  | { tag: 'no-parent'; ancestor?: string }
  | { tag: 'uniqueness-failure'; exists: readonly UniquenessExists[] }
  | { tag: 'extension'; content?: readonly Extension[] };

/** The model of an xcap-error document: the condition and its human-readable `phrase`. */
export const xcapErrorBodySchema = z
  .strictObject({ condition: xcapErrorConditionSchema, phrase: str.optional() })
  .refine((b) => b.condition.tag !== 'extension' || b.phrase === undefined, { message: '<extension> has no phrase attribute' });
export interface XcapErrorBody {
  condition: XcapErrorCondition;
  phrase?: string;
}

const rootCodec: ElementCodec<XcapErrorBody> = {
  schema: xcapErrorBodySchema as unknown as z.ZodType<XcapErrorBody>,
  decode(el, path) {
    const kids = childElements(el);
    const first = kids[0];
    if (!first || kids.length > 1) throw new DocumentError('schema', '<xcap-error> holds exactly one error element', locate(el, path));
    const p = `${path}/${first.tagName}`;
    if (first.namespaceURI !== XCAP_ERROR_NAMESPACE) throw new DocumentError('schema', `unexpected element <${first.tagName}>`, locate(first, p));
    const tag = first.localName ?? '';
    const phrase = first.hasAttribute('phrase') ? (first.getAttribute('phrase') ?? undefined) : undefined;
    const body = (condition: XcapErrorCondition): XcapErrorBody => (phrase === undefined ? { condition } : { condition, phrase });
    if ((SIMPLE_XCAP_ERROR_CONDITIONS as readonly string[]).includes(tag)) return body({ tag: tag as SimpleXcapErrorCondition });
    if (tag === 'no-parent') {
      const anc = childElements(first).find((c) => c.localName === 'ancestor');
      return body(anc ? { tag, ancestor: (anc.textContent ?? '').trim() } : { tag });
    }
    if (tag === 'uniqueness-failure') {
      const exists = childElements(first).map((ex: Element): UniquenessExists => {
        if (ex.localName !== 'exists' || !ex.hasAttribute('field')) {
          throw new DocumentError('schema', '<uniqueness-failure> holds <exists field="..."> elements', locate(ex, `${p}/${ex.tagName}`));
        }
        const alts = childElements(ex).map((a) => a.textContent ?? '');
        return alts.length ? { field: ex.getAttribute('field') ?? '', altValues: alts } : { field: ex.getAttribute('field') ?? '' };
      });
      if (!exists.length) throw new DocumentError('schema', '<uniqueness-failure> needs at least one <exists>', locate(first, p));
      return body({ tag, exists });
    }
    if (tag === 'extension') {
      const content = childElements(first).map(extractExtension);
      return { condition: content.length ? { tag, content } : { tag } };
    }
    throw new DocumentError('schema', `unknown error condition <${first.tagName}>`, locate(first, p));
  },
  encode(v, ns, name) {
    // Written on one line (our choice): the body of a 409 is read by programs, not people.
    const root = outElement(ns, name);
    root.mixed = true;
    const c = v.condition;
    const e = outElement(ns, c.tag);
    root.children.push(e);
    if (v.phrase !== undefined) e.attrs.push({ ns: null, name: 'phrase', value: v.phrase });
    if (c.tag === 'no-parent' && c.ancestor !== undefined) {
      const a = outElement(ns, 'ancestor');
      a.children.push({ text: c.ancestor });
      e.children.push(a);
    }
    if (c.tag === 'uniqueness-failure') {
      for (const ex of c.exists) {
        const x = outElement(ns, 'exists');
        x.attrs.push({ ns: null, name: 'field', value: ex.field });
        for (const alt of ex.altValues ?? []) {
          const a = outElement(ns, 'alt-value');
          if (alt !== '') a.children.push({ text: alt });
          x.children.push(a);
        }
        e.children.push(x);
      }
    }
    if (c.tag === 'extension') for (const x of c.content ?? []) e.children.push({ raw: x });
    return root;
  },
};

export const xcapErrorDocument = defineDocument(XCAP_ERROR_NAMESPACE, XCAP_ERROR_ROOT, rootCodec);

/** Parses an xcap-error document (the body of a 409). @throws DocumentError */
export const parseXcapError = (xml: string): XcapErrorBody => xcapErrorDocument.parse(xml);
/** Serializes an xcap-error document. @throws DocumentError `invalid-model` */
export const serializeXcapError = (body: XcapErrorBody): string => xcapErrorDocument.serialize(body);

export interface RenderedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** An error reported with an xcap-error document: 409 Conflict for every RFC 4825 clause 11 condition. */
export class XcapError extends Error {
  readonly status = 409;
  constructor(
    readonly condition: XcapErrorCondition,
    readonly phrase?: string,
  ) {
    super(`${condition.tag}${phrase ? `: ${phrase}` : ''}`);
    this.name = 'XcapError';
  }

  /** The error a parsed xcap-error document reports. */
  static fromBody(body: XcapErrorBody): XcapError {
    return new XcapError(body.condition, body.phrase);
  }

  /** The model of the document this error renders. */
  get body(): XcapErrorBody {
    return this.phrase === undefined ? { condition: this.condition } : { condition: this.condition, phrase: this.phrase };
  }

  /**
   * The xcap-error document (RFC 4825 clause 11.2 schema). A phrase quoting characters XML
   * cannot carry (e.g. from a refused body) has them replaced by U+FFFD.
   */
  toXml(): string {
    const body = this.body;
    if (body.phrase !== undefined && !isXmlChars(body.phrase)) body.phrase = [...body.phrase].map((ch) => (isXmlChars(ch) ? ch : '\uFFFD')).join('');
    return serializeXcapError(body);
  }

  render(): RenderedResponse {
    return { status: this.status, headers: { 'content-type': XCAP_ERROR_MIME }, body: this.toXml() };
  }
}
