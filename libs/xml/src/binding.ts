import type { Element } from '@xmldom/xmldom';
import { z } from 'zod';
import { DocumentError } from './document-error.ts';
import { extensionSchema, extractExtension, type Extension } from './extension.ts';
import { clarkName, parseClarkName, XMLNS_NS } from './namespaces.ts';
import { childElements, locate } from './parse.ts';
import { xsString, type SimpleType } from './simple-types.ts';
import { outElement, type OutElement } from './writer.ts';

/**
 * A decoded value of its own rather than a view on the document text (issue #14, memory): the
 * parser cuts values out of the text, and V8 keeps a cut of 13 characters or more as a pointer into
 * its parent, so one value kept in a long-lived model (a UE's partner domain, a token taken from a
 * body) would keep the whole document alive: 6 MB of user profiles in the UE host near the end of
 * `mcx bench migration --ues 1000` (heap snapshot, docs/performance.md). Prefixing a character and
 * cutting it off again makes V8 copy the value into a string of its own (V8 issue 2869); the same
 * idiom as `detached()` of @mcx/sip, which this library does not depend on.
 */
function own<T>(v: T): T {
  return typeof v === 'string' ? ((' ' + v).slice(1) as T) : v;
}

/**
 * A declarative XML binding: each element type is described once (attributes, children in
 * schema order, wildcards), and that description yields the zod schema (the model), the
 * decoder (DOM -> model) and the encoder (model -> XML), so the three cannot drift apart.
 */

export interface DecodeOptions {
  /**
   * Strict mode (default false) follows the XSD: elements in the element's own namespace that
   * the schema does not know, and children out of sequence order, are errors. Lenient mode keeps
   * unknown elements (in `other`) and accepts any order, as TS 24.484 readers are told to.
   */
  readonly strict?: boolean;
}

/** What a codec is made of (used by generic tooling such as property-test generators). */
export type CodecDescription =
  | { readonly kind: 'leaf'; readonly type: SimpleType<unknown> }
  | { readonly kind: 'empty' }
  | { readonly kind: 'complex'; readonly fields: Readonly<Record<string, Field>> };

export interface ElementCodec<T> {
  readonly schema: z.ZodType<T>;
  readonly description?: CodecDescription;
  decode(el: Element, path: string, options: DecodeOptions): T;
  encode(value: T, ns: string | null, name: string): OutElement;
}

export type Occurs = 'one' | 'optional' | 'many' | 'oneOrMore';

interface FieldBase<Z extends z.ZodType> {
  readonly schema: Z;
}
export interface AttrField<Z extends z.ZodType> extends FieldBase<Z> {
  readonly kind: 'attr';
  readonly name: string;
  readonly ns: string | null;
  readonly type: SimpleType<unknown>;
  readonly required: boolean;
}
export interface ChildField<Z extends z.ZodType> extends FieldBase<Z> {
  readonly kind: 'child';
  readonly name: string;
  /** undefined = the parent's namespace. */
  readonly ns: string | undefined;
  /** Further namespaces accepted on input for this element (e.g. resource-lists `entry` in a group document). */
  readonly altNs: readonly string[];
  readonly codec: ElementCodec<unknown>;
  readonly occurs: Occurs;
}
export interface TextField<Z extends z.ZodType> extends FieldBase<Z> {
  readonly kind: 'text';
  readonly type: SimpleType<unknown>;
}
export interface AnyExtField<Z extends z.ZodType> extends FieldBase<Z> {
  readonly kind: 'anyExt';
}
export interface OtherField<Z extends z.ZodType> extends FieldBase<Z> {
  readonly kind: 'other';
}
export interface OtherAttrsField<Z extends z.ZodType> extends FieldBase<Z> {
  readonly kind: 'otherAttrs';
}
export type Field<Z extends z.ZodType = z.ZodType> =
  | AttrField<Z>
  | ChildField<Z>
  | TextField<Z>
  | AnyExtField<Z>
  | OtherField<Z>
  | OtherAttrsField<Z>;

type Shape<F extends Record<string, Field>> = { [K in keyof F]: F[K]['schema'] };
export type ComplexModel<F extends Record<string, Field>> = z.infer<z.ZodObject<Shape<F>>>;

/** An element with simple content and no attributes: the model is the value itself. */
export function leaf<T>(type: SimpleType<T>): ElementCodec<T> {
  return {
    schema: type.schema,
    description: { kind: 'leaf', type: type as SimpleType<unknown> },
    decode(el, path) {
      if (el.getElementsByTagNameNS('*', '*').length > 0) {
        throw new DocumentError('schema', `<${el.localName}> must contain text only`, locate(el, path));
      }
      const v = type.parse(el.textContent ?? '');
      if (v === undefined) {
        throw new DocumentError('schema', `"${el.textContent}" is not a valid ${type.name}`, locate(el, path));
      }
      checkValue(type.schema, v, el, path);
      return own(v);
    },
    encode(value, ns, name) {
      const out = outElement(ns, name);
      out.children.push({ text: type.format(value) });
      return out;
    },
  };
}

/** An element of XSD `emptyType`: present = `true`. */
export function empty(): ElementCodec<true> {
  return {
    schema: z.literal(true),
    description: { kind: 'empty' },
    decode(el, path) {
      if (el.firstChild && (el.textContent ?? '').trim() !== '') {
        throw new DocumentError('schema', `<${el.localName}> must be empty`, locate(el, path));
      }
      return true;
    },
    encode: (_v, ns, name) => outElement(ns, name),
  };
}

function checkValue(schema: z.ZodType, v: unknown, el: Element, path: string): void {
  const r = schema.safeParse(v);
  if (!r.success) {
    throw new DocumentError('schema', r.error.issues[0]?.message ?? 'invalid value', locate(el, path));
  }
}

type CodecOrType<T> = ElementCodec<T> | SimpleType<T>;
function asCodec<T>(c: CodecOrType<T>): ElementCodec<T> {
  return 'decode' in c ? c : leaf(c);
}

/** An optional attribute. */
export function attr<T>(name: string, type: SimpleType<T>, ns: string | null = null): AttrField<z.ZodOptional<z.ZodType<T>>> {
  return { kind: 'attr', name, ns, type: type as SimpleType<unknown>, required: false, schema: type.schema.optional() };
}
/** A required attribute (`use="required"`). */
export function reqAttr<T>(name: string, type: SimpleType<T>, ns: string | null = null): AttrField<z.ZodType<T>> {
  return { kind: 'attr', name, ns, type: type as SimpleType<unknown>, required: true, schema: type.schema };
}

function child<T, Z extends z.ZodType>(name: string, c: CodecOrType<T>, occurs: Occurs, schema: Z, ns?: string, altNs: readonly string[] = []): ChildField<Z> {
  return { kind: 'child', name, ns, altNs, codec: asCodec(c) as ElementCodec<unknown>, occurs, schema };
}
/** A required child element (minOccurs=1 maxOccurs=1). */
export function one<T>(name: string, c: CodecOrType<T>, ns?: string, altNs?: readonly string[]): ChildField<z.ZodType<T>> {
  return child(name, c, 'one', asCodec(c).schema, ns, altNs);
}
/** An optional child element (minOccurs=0 maxOccurs=1). */
export function opt<T>(name: string, c: CodecOrType<T>, ns?: string, altNs?: readonly string[]): ChildField<z.ZodOptional<z.ZodType<T>>> {
  return child(name, c, 'optional', asCodec(c).schema.optional(), ns, altNs);
}
/** A repeated child element (minOccurs=0 maxOccurs=unbounded); absent in the model when there is none. */
export function many<T>(name: string, c: CodecOrType<T>, ns?: string, altNs?: readonly string[]): ChildField<z.ZodOptional<z.ZodArray<z.ZodType<T>>>> {
  return child(name, c, 'many', z.array(asCodec(c).schema).min(1).optional(), ns, altNs);
}
/** A repeated child element with minOccurs=1. */
export function some<T>(name: string, c: CodecOrType<T>, ns?: string, altNs?: readonly string[]): ChildField<z.ZodArray<z.ZodType<T>>> {
  return child(name, c, 'oneOrMore', z.array(asCodec(c).schema).min(1), ns, altNs);
}
/** Simple content of an element that also has attributes (`xs:simpleContent`). */
export function text<T>(type: SimpleType<T>): TextField<z.ZodType<T>> {
  return { kind: 'text', type: type as SimpleType<unknown>, schema: type.schema };
}
/** The 3GPP `<anyExt>` child (anyExtType: any elements), each child kept as an {@link Extension}. */
export function anyExt(): AnyExtField<z.ZodOptional<z.ZodArray<typeof extensionSchema>>> {
  return { kind: 'anyExt', schema: z.array(extensionSchema).optional() };
}
/** An `xs:any namespace="##other"` wildcard: unknown elements kept in order as {@link Extension}s. */
export function others(): OtherField<z.ZodOptional<z.ZodArray<typeof extensionSchema>>> {
  return { kind: 'other', schema: z.array(extensionSchema).min(1).optional() };
}
/** An `xs:anyAttribute` wildcard: unknown attributes keyed in Clark notation `{ns}name`. */
export function otherAttrs(): OtherAttrsField<z.ZodOptional<z.ZodType<Record<string, string>>>> {
  const record = z
    .record(z.string().regex(/^(\{[^{}\s]+\})?[A-Za-z_][\w.-]*$/, 'attribute names are {namespace}local or local'), xsString.schema)
    .refine((r) => Object.keys(r).length > 0, 'omit otherAttrs instead of giving an empty record')
    .refine((r) => Object.keys(r).every((k) => !k.startsWith(`{${XMLNS_NS}}`)), 'namespace declarations are not attributes');
  return { kind: 'otherAttrs', schema: (record as unknown as z.ZodType<Record<string, string>>).optional() };
}
/** The wildcards that nearly every Rel-13 3GPP complex type ends with. */
export function ext3gpp() {
  return { anyExt: anyExt(), other: others(), otherAttrs: otherAttrs() };
}

export interface ComplexOptions {
  /** `sequence` (ordered, the default) or `choice` (xs:choice maxOccurs=unbounded: any order). */
  readonly order?: 'sequence' | 'choice';
  /** Keep every unknown child (even in the element's own namespace) in `other` (anyExt content). */
  readonly keepUnknown?: boolean;
}

/** A complex element type described by its fields; the model keys are the field names. */
export function complex<F extends Record<string, Field>>(fields: F, opts: ComplexOptions = {}): ElementCodec<ComplexModel<F>> {
  const ordered = (opts.order ?? 'sequence') === 'sequence';
  const keepUnknown = opts.keepUnknown === true;
  const shape: Record<string, z.ZodType> = {};
  for (const [k, f] of Object.entries(fields)) shape[k] = f.schema;
  const schema = z.strictObject(shape) as unknown as z.ZodType<ComplexModel<F>>;
  const entries = Object.entries(fields);
  const attrFields = entries.filter((e): e is [string, AttrField<z.ZodType>] => e[1].kind === 'attr');
  const childFields = entries.filter((e): e is [string, ChildField<z.ZodType>] => e[1].kind === 'child');
  const textField = entries.find((e): e is [string, TextField<z.ZodType>] => e[1].kind === 'text');
  const anyExtKey = entries.find((e) => e[1].kind === 'anyExt')?.[0];
  const otherKey = entries.find((e) => e[1].kind === 'other')?.[0];
  const otherAttrsKey = entries.find((e) => e[1].kind === 'otherAttrs')?.[0];

  return {
    schema,
    description: { kind: 'complex', fields },
    decode(el, path, options) {
      const ownNs = el.namespaceURI ?? null;
      const out: Record<string, unknown> = {};
      // Attributes.
      const attrs = el.attributes;
      for (let i = 0; i < attrs.length; i++) {
        const a = attrs.item(i);
        if (!a || a.namespaceURI === XMLNS_NS || a.name === 'xmlns') continue;
        const ans = a.namespaceURI ?? null;
        const local = a.localName ?? a.name;
        const hit = attrFields.find(([, f]) => f.name === local && f.ns === ans);
        if (hit) {
          const [key, f] = hit;
          const v = f.type.parse(a.value);
          if (v === undefined) {
            throw new DocumentError('schema', `attribute ${a.name}="${a.value}" is not a valid ${f.type.name}`, locate(el, `${path}/@${a.name}`));
          }
          checkValue(f.type.schema, v, el, `${path}/@${a.name}`);
          out[key] = own(v);
        } else if (otherAttrsKey) {
          const rec = (out[otherAttrsKey] ??= {}) as Record<string, string>;
          rec[clarkName(ans, local)] = own(a.value);
        } else {
          throw new DocumentError('schema', `unexpected attribute ${a.name}`, locate(el, `${path}/@${a.name}`));
        }
      }
      for (const [, f] of attrFields) {
        if (f.required && !el.hasAttributeNS(f.ns, f.name)) {
          throw new DocumentError('schema', `missing required attribute ${f.name}`, locate(el, `${path}/@${f.name}`));
        }
      }
      // Children.
      let textValue = '';
      let lastIndex = -1;
      const counts = new Map<string, number>();
      for (let c = el.firstChild; c; c = c.nextSibling) {
        if (c.nodeType === 3 || c.nodeType === 4) {
          const data = (c as unknown as { data: string }).data;
          if (textField) textValue += data;
          else if (data.trim() !== '') {
            throw new DocumentError('schema', `unexpected text "${data.trim().slice(0, 40)}" in <${el.localName}>`, locate(c, path));
          }
          continue;
        }
        if (c.nodeType !== 1) continue;
        const ch = c as Element;
        const chNs = ch.namespaceURI ?? null;
        const local = ch.localName ?? ch.tagName;
        const chPath = `${path}/${ch.tagName}`;
        if (anyExtKey && local === 'anyExt' && chNs === ownNs) {
          out[anyExtKey] = childElements(ch).map((x) => own(extractExtension(x)));
          continue;
        }
        const index = childFields.findIndex(([, f]) => f.name === local && ((f.ns ?? ownNs) === chNs || f.altNs.includes(chNs ?? '')));
        const hit = childFields[index];
        if (hit) {
          const [key, f] = hit;
          if (options.strict && ordered && index < lastIndex) {
            throw new DocumentError('schema', `<${local}> is out of order`, locate(ch, chPath));
          }
          lastIndex = Math.max(lastIndex, index);
          const n = (counts.get(key) ?? 0) + 1;
          counts.set(key, n);
          const v = f.codec.decode(ch, chPath, options);
          if (f.occurs === 'many' || f.occurs === 'oneOrMore') {
            ((out[key] ??= []) as unknown[]).push(v);
          } else {
            if (n > 1) throw new DocumentError('schema', `<${local}> may occur at most once here`, locate(ch, chPath));
            out[key] = v;
          }
          continue;
        }
        if (otherKey && (chNs !== ownNs || keepUnknown || !options.strict)) {
          ((out[otherKey] ??= []) as unknown[]).push(extractExtension(ch));
          continue;
        }
        throw new DocumentError('schema', `unexpected element <${ch.tagName}>${chNs ? ` in namespace ${chNs}` : ''}`, locate(ch, chPath));
      }
      for (const [key, f] of childFields) {
        if ((f.occurs === 'one' || f.occurs === 'oneOrMore') && out[key] === undefined) {
          throw new DocumentError('schema', `missing required element <${f.name}>`, locate(el, `${path}/${f.name}`));
        }
      }
      if (textField) {
        const [key, f] = textField;
        const v = f.type.parse(textValue);
        if (v === undefined) throw new DocumentError('schema', `"${textValue}" is not a valid ${f.type.name}`, locate(el, path));
        checkValue(f.type.schema, v, el, path);
        out[key] = own(v);
      }
      return out as ComplexModel<F>;
    },
    encode(value, ns, name) {
      const v = value as Record<string, unknown>;
      const out = outElement(ns, name);
      for (const [key, f] of attrFields) {
        const a = v[key];
        if (a !== undefined) out.attrs.push({ ns: f.ns, name: f.name, value: f.type.format(a) });
      }
      if (otherAttrsKey && v[otherAttrsKey]) {
        for (const [k, val] of Object.entries(v[otherAttrsKey] as Record<string, string>)) {
          const { namespace, localName } = parseClarkName(k);
          out.attrs.push({ ns: namespace, name: localName, value: val });
        }
      }
      if (textField) {
        const [key, f] = textField;
        const t = f.type.format(v[key]);
        if (t !== '') out.children.push({ text: t });
      }
      for (const [key, f] of entries) {
        if (f.kind === 'child') {
          const cv = v[key];
          if (cv === undefined) continue;
          const list = f.occurs === 'many' || f.occurs === 'oneOrMore' ? (cv as unknown[]) : [cv];
          for (const item of list) out.children.push(f.codec.encode(item, f.ns ?? ns, f.name));
        } else if (f.kind === 'anyExt' && v[key] !== undefined) {
          const ae = outElement(ns, 'anyExt');
          for (const x of v[key] as Extension[]) ae.children.push({ raw: x });
          out.children.push(ae);
        } else if (f.kind === 'other' && v[key] !== undefined) {
          for (const x of v[key] as Extension[]) out.children.push({ raw: x });
        }
      }
      return out;
    },
  };
}
