import fc from 'fast-check';
import { validateXml } from '@mcx/schemas';
import { DocumentError } from '@mcx/xml';
import { extensionArbitrary, xmlText } from '@mcx/xml/testing';
import { describe, expect, it } from 'vitest';
import { parseXcapError, serializeXcapError, SIMPLE_XCAP_ERROR_CONDITIONS, XCAP_ERROR_NAMESPACE, XcapError, type XcapErrorBody } from './xcap-error.ts';

function documentError(f: () => unknown): DocumentError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DocumentError);
    return e as DocumentError;
  }
  throw new Error('expected a DocumentError');
}

const phrase = fc.option(xmlText, { nil: undefined });
const withPhrase = (condition: XcapErrorBody['condition'], p: string | undefined): XcapErrorBody => (p === undefined ? { condition } : { condition, phrase: p });
const arbitrary: fc.Arbitrary<XcapErrorBody> = fc.oneof(
  fc.tuple(fc.constantFrom(...SIMPLE_XCAP_ERROR_CONDITIONS), phrase).map(([tag, p]) => withPhrase({ tag }, p)),
  fc.tuple(fc.option(fc.constant('https://x/xcap-root/org.3gpp.mcptt.user-profile/users/sip:a@x'), { nil: undefined }), phrase).map(([ancestor, p]) =>
    withPhrase(ancestor === undefined ? { tag: 'no-parent' } : { tag: 'no-parent', ancestor }, p),
  ),
  fc
    .tuple(fc.array(fc.record({ field: xmlText, altValues: fc.array(xmlText, { minLength: 1, maxLength: 2 }) }, { requiredKeys: ['field'] }), { minLength: 1, maxLength: 2 }), phrase)
    .map(([exists, p]) => withPhrase({ tag: 'uniqueness-failure', exists }, p)),
  fc.option(fc.array(extensionArbitrary, { minLength: 1, maxLength: 2 }), { nil: undefined }).map((content): XcapErrorBody => ({ condition: content ? { tag: 'extension', content } : { tag: 'extension' } })),
);

describe('xcap-error document (RFC 4825 clause 11.2)', () => {
  it('parse(serialize(x)) deep-equals x for every condition, with phrases, alt-values and extensions', () => {
    fc.assert(fc.property(arbitrary, (x) => void expect(parseXcapError(serializeXcapError(x))).toEqual(x)), { numRuns: 80 });
  });

  const all: XcapErrorBody[] = [
    ...SIMPLE_XCAP_ERROR_CONDITIONS.map((tag) => ({ condition: { tag }, phrase: 'why' })),
    { condition: { tag: 'no-parent', ancestor: 'https://x/xcap-root/org.3gpp.mcptt.user-profile/users/sip:a@x/mcptt-user-profile-1.xml/~~/mcptt-user-profile' } },
    { condition: { tag: 'uniqueness-failure', exists: [{ field: 'group/list-service/@uri', altValues: ['sip:fire-ops-2@mcx-a.example.net'] }] }, phrase: 'group URI in use' },
    { condition: { tag: 'extension', content: ['<mcx:profile-locked xmlns:mcx="urn:mcx-ecosystem:xml:ns:errors:1.0"/>'] } },
  ];
  for (const body of all) {
    it(`<${body.condition.tag}> validates against xcap-error.xsd and is rendered as a 409`, async () => {
      const error = XcapError.fromBody(body);
      const r = await validateXml(error.toXml(), 'ietf/xcap-error.xsd');
      expect(r.errors).toEqual([]);
      expect(error.render()).toMatchObject({ status: 409, headers: { 'content-type': 'application/xcap-error+xml' } });
      expect(parseXcapError(error.render().body)).toEqual(body);
    });
  }

  it('writes the document on one line, as clients of the earlier format matched it', () => {
    expect(new XcapError({ tag: 'uniqueness-failure', exists: [{ field: 'f', altValues: ['a'] }] }).toXml()).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<xcap-error xmlns="${XCAP_ERROR_NAMESPACE}"><uniqueness-failure><exists field="f"><alt-value>a</alt-value></exists></uniqueness-failure></xcap-error>\n`,
    );
  });

  it('replaces characters XML cannot carry in a phrase instead of failing to render', () => {
    const body = parseXcapError(new XcapError({ tag: 'not-well-formed' }, 'bad \u0001 byte').toXml());
    expect(body).toEqual({ condition: { tag: 'not-well-formed' }, phrase: 'bad \uFFFD byte' });
  });

  it('rejects an empty xcap-error, an unknown condition, exists without field, and a phrase on <extension>', () => {
    const ns = XCAP_ERROR_NAMESPACE;
    expect(documentError(() => parseXcapError(`<xcap-error xmlns="${ns}"/>`)).where).toMatch(/^\/xcap-error/);
    expect(documentError(() => parseXcapError(`<xcap-error xmlns="${ns}"><out-of-cheese/></xcap-error>`)).reason).toMatch(/out-of-cheese/);
    expect(documentError(() => parseXcapError(`<xcap-error xmlns="${ns}"><uniqueness-failure><exists/></uniqueness-failure></xcap-error>`)).reason).toMatch(/exists/);
    expect(documentError(() => serializeXcapError({ condition: { tag: 'extension' }, phrase: 'no' })).code).toBe('invalid-model');
  });
});
