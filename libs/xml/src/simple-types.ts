import { z } from 'zod';
import { isXmlChars } from './escape.ts';

/**
 * An XML Schema simple type (XML Schema Part 2) as the codecs see it: a zod schema for the
 * model value, a lexical parser (returns `undefined` when the text is not in the lexical
 * space) and a canonical formatter.
 */
export interface SimpleType<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  parse(text: string): T | undefined;
  format(value: T): string;
  /** Shape of the value space, for generators: integer range, regular expression or enumeration. */
  readonly sample?: { readonly min: number; readonly max: number } | { readonly pattern: RegExp } | { readonly values: readonly string[] };
}

const xmlString = z.string().refine(isXmlChars, { message: 'contains characters that XML 1.0 cannot carry' });
const collapse = (s: string) => s.replace(/[\t\n\r ]+/g, ' ').trim();

/** xs:string: kept exactly (whitespace preserved). */
export const xsString: SimpleType<string> = {
  name: 'xs:string',
  schema: xmlString,
  parse: (t) => t,
  format: (v) => v,
};

/** xs:token / xs:anyURI style: whitespace is collapsed (XSD Part 2 clause 4.3.6), so the model holds the collapsed form. */
function collapsed(name: string, extra?: (s: string) => boolean, pattern?: RegExp): SimpleType<string> {
  return {
    name,
    ...(pattern ? { sample: { pattern } } : {}),
    schema: xmlString.refine((s) => collapse(s) === s && (!extra || extra(s)), {
      message: `not a valid ${name} (collapsed whitespace expected)`,
    }),
    parse: (t) => {
      const c = collapse(t);
      return !extra || extra(c) ? c : undefined;
    },
    format: (v) => v,
  };
}

export const xsToken = collapsed('xs:token');
export const xsAnyUri = collapsed('xs:anyURI', (s) => !s.includes(' '), /^(sip|https|urn):[a-z0-9.@/_-]{1,16}$/);
/** xs:ID / NCName subset used for ids (common-policy rule id, XML 1.0 Name production simplified). */
export const xsId = collapsed('xs:ID', (s) => /^[A-Za-z_][\w.-]*$/.test(s), /^[A-Za-z_][\w.-]{0,8}$/);
/** xs:language (RFC 3066 shape). */
export const xsLanguage = collapsed('xs:language', (s) => /^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$/.test(s), /^[a-z]{2}(-[A-Z]{2})?$/);

/** xs:boolean: lexical `true|false|1|0`, canonical `true|false` (XSD Part 2 clause 3.2.2). */
export const xsBoolean: SimpleType<boolean> = {
  name: 'xs:boolean',
  schema: z.boolean(),
  parse: (t) => {
    const c = t.trim();
    return c === 'true' || c === '1' ? true : c === 'false' || c === '0' ? false : undefined;
  },
  format: (v) => (v ? 'true' : 'false'),
};

function integer(name: string, min: number, max: number): SimpleType<number> {
  return {
    name,
    sample: { min, max },
    schema: z.number().int().min(min).max(max),
    parse: (t) => {
      const c = t.trim();
      if (!/^[+-]?\d+$/.test(c)) return undefined;
      const n = Number(c);
      return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
    },
    format: (v) => String(v),
  };
}

export const xsUnsignedByte = integer('xs:unsignedByte', 0, 255);
export const xsUnsignedShort = integer('xs:unsignedShort', 0, 65535);
export const xsUnsignedInt = integer('xs:unsignedInt', 0, 4294967295);
/** xs:nonNegativeInteger, limited to JavaScript safe integers. */
export const xsNonNegativeInteger = integer('xs:nonNegativeInteger', 0, Number.MAX_SAFE_INTEGER);
/** xs:positiveInteger, limited to JavaScript safe integers. */
export const xsPositiveInteger = integer('xs:positiveInteger', 1, Number.MAX_SAFE_INTEGER);
export function xsIntegerRange(name: string, min: number, max: number): SimpleType<number> {
  return integer(name, min, max);
}

/** A digit string of at most `digits` digits (xs:decimal with totalDigits, e.g. TAC/SNR of TS 24.484); kept as text to keep leading zeros. */
export function digits(name: string, max: number): SimpleType<string> {
  const re = new RegExp(`^\\d{1,${max}}$`);
  return collapsed(name, (s) => re.test(s), re);
}

/** xs:duration lexical form (XSD Part 2 clause 3.2.6.1). */
export const xsDuration = collapsed(
  'xs:duration',
  (s) => /^-?P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?!$)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(s),
  /^P([1-9]D)?T[1-9]\d?S$/,
);

/** xs:hexBinary (canonical upper case is not enforced; the text is kept). */
export const xsHexBinary = collapsed('xs:hexBinary', (s) => /^([0-9a-fA-F]{2})*$/.test(s), /^([0-9A-F]{2}){0,4}$/);

/** An enumeration restriction of a string type. */
export function xsEnum<const V extends readonly [string, ...string[]]>(name: string, values: V): SimpleType<V[number]> {
  const set = new Set<string>(values);
  return {
    name,
    sample: { values },
    schema: z.enum(values) as unknown as z.ZodType<V[number]>,
    parse: (t) => {
      const c = collapse(t);
      return set.has(c) ? (c as V[number]) : undefined;
    },
    format: (v) => v,
  };
}
