import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extensionArbitrary, xmlText } from '../../test/arbitrary.ts';
import { documentSuite, expectDocumentError } from '../../test/document-suite.ts';
import { parseXml } from '../xml/safe-parse.ts';
import { parseXcapDiff, serializeXcapDiff, xcapDiffDocument, type PatchOperation, type XcapDiff, type XcapDiffItem } from './xcap-diff.ts';

const sel = fc.stringMatching(/^[a-z.]{1,8}\/users\/sip:[a-z]{1,5}@x\/[a-z-]{1,8}\.xml$/);
const etag = fc.stringMatching(/^[0-9a-f]{1,8}$/);
const escaped = xmlText.map((t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;'));
const content = fc.oneof(escaped, extensionArbitrary, fc.tuple(escaped, extensionArbitrary).map(([a, b]) => a + b));
const patch: fc.Arbitrary<PatchOperation> = fc.oneof(
  fc.record({ op: fc.constant('add' as const), sel: fc.constant('up:mcptt-user-profile/up:Common'), pos: fc.constantFrom('before' as const, 'after' as const, 'prepend' as const), type: fc.constant('@id'), content }, { requiredKeys: ['op', 'sel', 'content'] }),
  fc.record({ op: fc.constant('replace' as const), sel: fc.constant('up:mcptt-user-profile/up:Status/text()'), content }),
  fc.record({ op: fc.constant('remove' as const), sel: fc.constant('up:mcptt-user-profile/up:Name'), ws: fc.constantFrom('before' as const, 'after' as const, 'both' as const) }, { requiredKeys: ['op', 'sel'] }),
);
const item: fc.Arbitrary<XcapDiffItem> = fc.oneof(
  fc.record({ kind: fc.constant('document' as const), sel, newEtag: etag, previousEtag: etag, bodyNotChanged: fc.constant(true as const) }, { requiredKeys: ['kind', 'sel'] }),
  fc.record({ kind: fc.constant('document' as const), sel, newEtag: etag, previousEtag: etag, patch: fc.array(patch, { minLength: 1, maxLength: 3 }) }, { requiredKeys: ['kind', 'sel', 'patch'] }),
  fc.record({ kind: fc.constant('element' as const), sel, exists: fc.boolean(), content: extensionArbitrary }, { requiredKeys: ['kind', 'sel'] }),
  fc.record({ kind: fc.constant('attribute' as const), sel, exists: fc.constant(true), value: xmlText }, { requiredKeys: ['kind', 'sel', 'value'] }),
  fc.record({ kind: fc.constant('attribute' as const), sel, exists: fc.constant(false) }),
);
const arbitrary: fc.Arbitrary<XcapDiff> = fc.record(
  { xcapRoot: fc.constant('https://cms.mcx-a.example.net/xcap-root'), namespaces: fc.constant({ up: 'urn:3gpp:mcptt:user-profile:1.0' }), items: fc.array(item, { minLength: 1, maxLength: 3 }), other: fc.array(extensionArbitrary, { minLength: 1, maxLength: 1 }) },
  { requiredKeys: ['xcapRoot'] },
);

const profileSel = 'org.3gpp.mcptt.user-profile/users/sip:alice@mcx-a.example.net/mcptt-user-profile-1.xml';
const maximal: XcapDiff = {
  xcapRoot: 'https://cms.mcx-a.example.net/xcap-root',
  namespaces: { up: 'urn:3gpp:mcptt:user-profile:1.0' },
  items: [
    { kind: 'document', sel: profileSel, previousEtag: '"a1"', newEtag: '"a2"', patch: [
      { op: 'replace', sel: 'up:mcptt-user-profile/up:Status/text()', content: 'false' },
      { op: 'add', sel: 'up:mcptt-user-profile/up:Common', pos: 'prepend', content: '<ParticipantType xmlns="urn:3gpp:mcptt:user-profile:1.0">dispatcher</ParticipantType>' },
      { op: 'remove', sel: 'up:mcptt-user-profile/up:Name[2]', ws: 'before' },
    ] },
    { kind: 'document', sel: 'org.3gpp.mcptt.service-config/global/service-config.xml', previousEtag: '"s1"', newEtag: '"s1"', bodyNotChanged: true },
    { kind: 'document', sel: 'org.3gpp.mcptt.ue-config/users/sip:alice@mcx-a.example.net/urn:uuid:1', previousEtag: '"u1"' },
    { kind: 'element', sel: `${profileSel}/~~/mcptt-user-profile/Status`, exists: true, content: '<Status xmlns="urn:3gpp:mcptt:user-profile:1.0">false</Status>' },
    { kind: 'attribute', sel: `${profileSel}/~~/mcptt-user-profile/@user-profile-index`, exists: true, value: '1' },
  ],
};

documentSuite('xcap-diff', { document: xcapDiffDocument, xsd: undefined, minimal: { xcapRoot: 'https://cms.mcx-a.example.net/xcap-root' }, maximal, arbitrary });

describe('xcap-diff: RFC 5874 structure', () => {
  const xml = serializeXcapDiff(maximal);
  const root = parseXml(xml).documentElement!;
  it('an initial NOTIFY has one document per subscribed URI with new-etag only', () => {
    const initial = serializeXcapDiff({ xcapRoot: 'https://x/xcap-root', items: [{ kind: 'document', sel: profileSel, newEtag: '"a1"' }] });
    expect(initial).toContain(`<document sel="${profileSel}" new-etag="&quot;a1&quot;"/>`);
  });
  it('declares the selector prefixes on the root and keeps patch content unindented', () => {
    expect(root.getAttribute('xmlns:up')).toBe('urn:3gpp:mcptt:user-profile:1.0');
    expect(xml).toContain('<replace sel="up:mcptt-user-profile/up:Status/text()">false</replace>');
    expect(root.getElementsByTagName('body-not-changed').length).toBe(1);
  });
  it('rejects a document without sel, body-not-changed with patches, an unknown pos', () => {
    expectDocumentError(() => parseXcapDiff(xml.replace(`<document sel="${profileSel}"`, '<document')), 'schema', /xcap-diff\/document\/@sel/);
    expectDocumentError(() => parseXcapDiff(xml.replace('<remove ', '<body-not-changed/><remove ')), 'schema', /document/);
    expectDocumentError(() => parseXcapDiff(xml.replace('pos="prepend"', 'pos="middle"')), 'schema', /add\/@pos/);
    expectDocumentError(() => parseXcapDiff(xml.replace(/ xcap-root="[^"]*"/, '')), 'schema', /@xcap-root/);
  });
});
