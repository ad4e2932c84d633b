import { validateXml } from '@mcx/schemas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extensionArbitrary, xmlText } from '../../test/arbitrary.ts';
import { documentSuite, expectDocumentError } from '../../test/document-suite.ts';
import { parseXcapError, SIMPLE_XCAP_ERROR_CONDITIONS, serializeXcapError, xcapErrorDocument, xcapErrorHttpStatus, type XcapError } from './xcap-error.ts';

const arbitrary: fc.Arbitrary<XcapError> = fc.oneof(
  fc.record({ condition: fc.constantFrom(...SIMPLE_XCAP_ERROR_CONDITIONS), phrase: xmlText }, { requiredKeys: ['condition'] }),
  fc.record({ condition: fc.constant('no-parent' as const), phrase: xmlText, ancestor: fc.constant('https://x/xcap-root/org.3gpp.mcptt.user-profile/users/sip:a@x') }, { requiredKeys: ['condition'] }),
  fc.record({ condition: fc.constant('uniqueness-failure' as const), phrase: xmlText, exists: fc.array(fc.record({ field: xmlText, altValues: fc.array(xmlText, { minLength: 1, maxLength: 2 }) }, { requiredKeys: ['field'] }), { minLength: 1, maxLength: 2 }) }, { requiredKeys: ['condition', 'exists'] }),
  fc.record({ condition: fc.constant('extension' as const), content: fc.array(extensionArbitrary, { minLength: 1, maxLength: 2 }) }, { requiredKeys: ['condition'] }),
);

documentSuite('xcap-error', {
  document: xcapErrorDocument,
  xsd: 'ietf/xcap-error.xsd',
  minimal: { condition: 'not-well-formed' },
  maximal: { condition: 'uniqueness-failure', phrase: 'group URI in use', exists: [{ field: 'group/list-service/@uri', altValues: ['sip:fire-ops-2@mcx-a.example.net', 'sip:fire-ops-3@mcx-a.example.net'] }] },
  arbitrary,
});

describe('xcap-error: every RFC 4825 clause 11 condition', () => {
  const all: XcapError[] = [
    ...SIMPLE_XCAP_ERROR_CONDITIONS.map((condition) => ({ condition, phrase: 'why' })),
    { condition: 'no-parent', ancestor: 'https://x/xcap-root/org.3gpp.mcptt.user-profile/users/sip:a@x/mcptt-user-profile-1.xml/~~/mcptt-user-profile' },
    { condition: 'extension', content: ['<mcx:profile-locked xmlns:mcx="urn:mcx-ecosystem:xml:ns:errors:1.0"/>'] },
  ];
  for (const e of all) {
    it(`<${e.condition}> validates against xcap-error.xsd and goes with 409`, async () => {
      const r = await validateXml(serializeXcapError(e), 'ietf/xcap-error.xsd');
      expect(r.ok, r.errors.join('\n')).toBe(true);
      expect(xcapErrorHttpStatus(e)).toBe(409);
    });
  }
  it('rejects an empty xcap-error, an unknown condition and exists without field', () => {
    const ns = 'urn:ietf:params:xml:ns:xcap-error';
    expectDocumentError(() => parseXcapError(`<xcap-error xmlns="${ns}"/>`), 'schema', /^\/xcap-error/);
    expectDocumentError(() => parseXcapError(`<xcap-error xmlns="${ns}"><out-of-cheese/></xcap-error>`), 'schema', /out-of-cheese/);
    expectDocumentError(() => parseXcapError(`<xcap-error xmlns="${ns}"><uniqueness-failure><exists/></uniqueness-failure></xcap-error>`), 'schema', /exists/);
  });
});
