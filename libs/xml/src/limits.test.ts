import { describe, expect, it } from 'vitest';
import { DEFAULT_XML_LIMITS, XmlLimitError, checkXmlLimits, parseXml, xmlLimitViolation, type XmlShape } from './index.ts';

const limits = { ...DEFAULT_XML_LIMITS, maxElements: 10, maxDepth: 4, maxAttributesPerElement: 3, maxAttributeValueLength: 8, maxBytes: 1000 };
const wrap = (inner: string) => `<?xml version="1.0"?><r xmlns="urn:x" xmlns:p="urn:p">${inner}</r>`;

describe('per-document limits, counted on the text', () => {
  it('counts elements and depth, skipping comments, CDATA, processing instructions and quoted ">"', () => {
    const shape: XmlShape = { elements: 0, depth: 0 };
    const text = wrap('<a b="x>y"><c/><!-- <d><d><d> --><![CDATA[<e><e>]]><?pi <f>?></a><g p:h=\'1\'/>');
    expect(xmlLimitViolation(text, limits, shape)).toBeNull();
    expect(shape).toEqual({ elements: 4, depth: 3 });
    expect(() => parseXml(text, { limits })).not.toThrow();
  });

  it.each([
    ['too many elements', wrap('<b/>'.repeat(10)), 'maxElements', /more than 10 elements/],
    ['too deep', wrap('<a><a><a><a/></a></a></a>'), 'maxDepth', /deeper than 4 levels/],
    ['too many attributes (namespace declarations not counted)', wrap('<a xmlns:q="urn:q" a="1" b="2" c="3" d="4"/>'), 'maxAttributesPerElement', /<a> has more than 3 attributes/],
    ['a long attribute value', wrap(`<a v='${'x'.repeat(9)}'/>`), 'maxAttributeValueLength', /longer than 8 characters/],
    ['too many bytes (UTF-8)', wrap('é'.repeat(480)), 'maxBytes', /larger than 1000 bytes/],
  ])('refuses %s', (_name, text, limit, phrase) => {
    const v = xmlLimitViolation(text, limits);
    expect(v?.limit).toBe(limit);
    expect(v?.phrase).toMatch(phrase);
    expect(() => parseXml(text, { limits })).toThrow(XmlLimitError);
    try {
      checkXmlLimits(text, limits);
    } catch (e) {
      expect((e as XmlLimitError).code).toBe('limit-exceeded');
    }
  });

  it('keeps within the limits at exactly the limit', () => {
    expect(xmlLimitViolation(wrap('<b/>'.repeat(9)), limits)).toBeNull();
    expect(xmlLimitViolation(wrap("<a><a></a></a>"), limits)).toBeNull();
    expect(xmlLimitViolation(wrap(`<a a="1" b='2' c = "${'x'.repeat(8)}"/>`), limits)).toBeNull();
  });

  it('refuses 200,000 elements at the default limit of 20,000 without building a DOM', () => {
    const text = wrap(`<e xmlns="urn:example:ext">${'<b/>'.repeat(200_000)}</e>`);
    expect(xmlLimitViolation(text)).toMatchObject({ limit: 'maxElements' });
  });
});
