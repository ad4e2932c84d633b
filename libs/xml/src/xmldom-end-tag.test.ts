import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DocumentError } from './document-error.ts';
import { parseXml } from './parse.ts';
import { memoizeXmldomGrammar } from './xmldom-end-tag.ts';

const grammar = createRequire(import.meta.url)('@xmldom/xmldom/lib/grammar.js') as {
  reg: (...parts: (RegExp | string)[]) => RegExp;
  QName_group: RegExp;
  S_OPT: RegExp;
};

describe("xmldom's end-tag expression, built once", () => {
  it('is memoized as soon as the parser is loaded: the same parts give the same expression', () => {
    expect(memoizeXmldomGrammar()).toBe(true);
    const a = grammar.reg('^', grammar.QName_group, grammar.S_OPT, '$');
    const b = grammar.reg('^', grammar.QName_group, grammar.S_OPT, '$');
    expect(b).toBe(a);
    expect(grammar.reg('^', grammar.QName_group)).not.toBe(a);
    expect(a.test('mcptt-Params ')).toBe(true);
    expect(a.test('1bad')).toBe(false);
  });

  it('tells parts apart by what they are: a string from an expression of the same text, two expressions by identity', () => {
    const text = grammar.reg('^', '(a|b)', '$');
    const expr = grammar.reg('^', /(a|b)/, '$');
    expect(expr).not.toBe(text);
    expect(text.test('a') && expr.test('b')).toBe(true);
    const first = /c+/;
    const again = grammar.reg('^', first, '$');
    expect(grammar.reg('^', first, '$')).toBe(again);
    // Another object with the same source is another part: built again, never mixed up.
    const other = grammar.reg('^', /c+/, '$');
    expect(other).not.toBe(again);
    expect(other.test('ccc') && !other.test('d')).toBe(true);
  });

  it('still refuses a mismatched or malformed end tag, and parses many documents alike', () => {
    for (let i = 0; i < 3; i += 1) expect(parseXml(`<a xmlns="urn:x"><b>${i}</b></a>`).documentElement!.textContent).toBe(String(i));
    expect(() => parseXml('<a><b></c></a>')).toThrow(DocumentError);
    expect(() => parseXml('<a></1a>')).toThrow(DocumentError);
  });
});
