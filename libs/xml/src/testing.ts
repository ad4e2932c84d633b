/**
 * `@mcx/xml/testing`: fast-check generators for tests. Those derived from the codec
 * descriptions give every document built with the declarative binding a property-based
 * round-trip test without a hand-written generator; `xmlText` and `extensionArbitrary` serve
 * hand-written codecs too. Test code only (fast-check is a development dependency).
 */
import fc from 'fast-check';
import type { ElementCodec, Field } from './binding.ts';
import { canonicalizeExtension } from './extension.ts';
import type { SimpleType } from './simple-types.ts';

const textChars = fc.constantFrom(...'abcXYZ019 -_.:/&<>"\'\t\n\r'.split(''), 'é', '😀');
/** xs:string values, including whitespace, markup characters and non-ASCII. */
export const xmlText = fc.string({ unit: textChars, maxLength: 12 });

export function simpleArbitrary(type: SimpleType<unknown>): fc.Arbitrary<unknown> {
  const s = type.sample;
  if (type.name === 'xs:boolean') return fc.boolean();
  if (s && 'min' in s) return fc.integer({ min: s.min, max: Math.min(s.max, 2 ** 31) });
  if (s && 'values' in s) return fc.constantFrom(...s.values);
  if (s && 'pattern' in s) return fc.stringMatching(s.pattern);
  if (type.name === 'xs:string') return xmlText;
  // token-like: collapsed text
  return xmlText.map((t) => t.replace(/[\t\n\r ]+/g, ' ').trim());
}

/** Unknown extension elements: foreign namespace, prefixed or default, with attributes, text and children. */
export const extensionArbitrary: fc.Arbitrary<string> = fc
  .record({
    prefixed: fc.boolean(),
    name: fc.constantFrom('foo', 'bar', 'x-ext'),
    attr: fc.option(xmlText, { nil: undefined }),
    text: fc.option(xmlText, { nil: undefined }),
    child: fc.boolean(),
  })
  .map(({ prefixed, name, attr, text, child }) => {
    const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
    const q = prefixed ? `e:${name}` : name;
    const decl = prefixed ? 'xmlns:e="urn:test:ext"' : 'xmlns="urn:test:ext"';
    const a = attr !== undefined ? ` a="${esc(attr)}"` : '';
    const inner = `${text !== undefined ? esc(text) : ''}${child ? '<o:nested xmlns:o="urn:test:other" o:k="v"/>' : ''}`;
    return canonicalizeExtension(inner ? `<${q} ${decl}${a}>${inner}</${q}>` : `<${q} ${decl}${a}/>`);
  });

const otherAttrsArbitrary = fc.dictionary(fc.constantFrom('{urn:test:attr}a', '{urn:test:attr}b', '{urn:test:attr2}c'), xmlText, {
  minKeys: 1,
  maxKeys: 2,
});

function fieldArbitrary(f: Field, depth: number): fc.Arbitrary<unknown> {
  switch (f.kind) {
    case 'attr':
    case 'text':
      return simpleArbitrary(f.type);
    case 'child': {
      const item = codecArbitrary(f.codec, depth + 1);
      return f.occurs === 'many' || f.occurs === 'oneOrMore' ? fc.array(item, { minLength: 1, maxLength: 2 }) : item;
    }
    case 'anyExt':
      return fc.array(extensionArbitrary, { maxLength: 2 });
    case 'other':
      return fc.array(extensionArbitrary, { minLength: 1, maxLength: 2 });
    case 'otherAttrs':
      return otherAttrsArbitrary;
  }
}

function isRequired(f: Field): boolean {
  return (f.kind === 'attr' && f.required) || (f.kind === 'child' && (f.occurs === 'one' || f.occurs === 'oneOrMore')) || f.kind === 'text';
}

export function codecArbitrary<T>(codec: ElementCodec<T>, depth = 0): fc.Arbitrary<T> {
  const d = codec.description;
  if (!d) throw new Error('codec without description');
  if (d.kind === 'leaf') return simpleArbitrary(d.type) as fc.Arbitrary<T>;
  if (d.kind === 'empty') return fc.constant(true) as unknown as fc.Arbitrary<T>;
  const entries = Object.entries(d.fields);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const requiredKeys: string[] = [];
  for (const [k, f] of entries) {
    if (isRequired(f)) requiredKeys.push(k);
    // Keep deep optional structure small: beyond depth 3 optional parts are rarely generated.
    if (!isRequired(f) && depth > 3) continue;
    model[k] = fieldArbitrary(f, depth);
  }
  return fc.record(model, { requiredKeys }) as unknown as fc.Arbitrary<T>;
}
