import fc from 'fast-check';
import { DocumentError, parseXml } from '@mcx/xml';
import { extensionArbitrary, xmlText } from '@mcx/xml/testing';
import { describe, expect, it } from 'vitest';
import { applyXcapDiff } from './apply-diff.ts';
import {
  parseXcapDiff,
  serializeXcapDiff,
  XCAP_DIFF_NAMESPACE,
  type AttributeDiff,
  type DocumentDiff,
  type ElementDiff,
  type PatchOperation,
  type XcapDiff,
} from './xcap-diff.ts';

function documentError(f: () => unknown): DocumentError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DocumentError);
    return e as DocumentError;
  }
  throw new Error('expected a DocumentError');
}

const sel = fc.stringMatching(/^[a-z.]{1,8}\/users\/sip:[a-z]{1,5}@x\/[a-z-]{1,8}\.xml$/);
const etag = fc.stringMatching(/^[0-9a-f]{1,8}$/);
const escaped = xmlText.map((t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;'));
const content = fc.oneof(escaped, extensionArbitrary, fc.tuple(escaped, extensionArbitrary).map(([a, b]) => a + b), fc.constant('<![CDATA[a<b]]><!--c-->'));
const opPrefixes = fc.option(fc.constant({ op: 'urn:example:op' }), { nil: undefined });
const patch: fc.Arbitrary<PatchOperation> = fc.oneof(
  fc.record({ op: fc.constant('add' as const), sel: fc.constant('up:mcptt-user-profile/up:Common'), pos: fc.constantFrom('before' as const, 'after' as const, 'prepend' as const), type: fc.constant('@id'), content, namespaces: opPrefixes }, { requiredKeys: ['op', 'sel', 'content'] }),
  fc.record({ op: fc.constant('replace' as const), sel: fc.constant('up:mcptt-user-profile/up:Status/text()'), content }, { requiredKeys: ['op', 'sel', 'content'] }),
  fc.record({ op: fc.constant('remove' as const), sel: fc.constant('up:mcptt-user-profile/up:Name'), ws: fc.constantFrom('before' as const, 'after' as const, 'both' as const) }, { requiredKeys: ['op', 'sel'] }),
);
const documentDiff: fc.Arbitrary<DocumentDiff> = fc.oneof(
  fc.record({ sel, newEtag: etag, previousEtag: etag, bodyNotChanged: fc.constant(true as const) }, { requiredKeys: ['sel'] }),
  fc.record({ sel, newEtag: etag, previousEtag: etag, patch: fc.array(patch, { minLength: 1, maxLength: 3 }), namespaces: fc.constant({ n1: 'urn:example:n1' }) }, { requiredKeys: ['sel', 'patch'] }),
);
const elementDiff: fc.Arbitrary<ElementDiff> = fc.record({ sel, exists: fc.boolean(), content: extensionArbitrary }, { requiredKeys: ['sel'] });
const attributeDiff: fc.Arbitrary<AttributeDiff> = fc.oneof(fc.record({ sel, exists: fc.constant(true), value: xmlText }, { requiredKeys: ['sel', 'value'] }), fc.record({ sel, exists: fc.constant(false) }));
const arbitrary: fc.Arbitrary<XcapDiff> = fc.record(
  {
    xcapRoot: fc.constant('https://cms.mcx-a.example.net/xcap-root'),
    namespaces: fc.constant({ up: 'urn:3gpp:mcptt:user-profile:1.0' }),
    documents: fc.array(documentDiff, { maxLength: 3 }),
    elements: fc.array(elementDiff, { minLength: 1, maxLength: 2 }),
    attributes: fc.array(attributeDiff, { minLength: 1, maxLength: 2 }),
    other: fc.array(extensionArbitrary, { minLength: 1, maxLength: 1 }),
  },
  { requiredKeys: ['xcapRoot', 'documents'] },
);

const profileSel = 'org.3gpp.mcptt.user-profile/users/sip:alice@mcx-a.example.net/mcptt-user-profile-1.xml';
const maximal: XcapDiff = {
  xcapRoot: 'https://cms.mcx-a.example.net/xcap-root',
  namespaces: { up: 'urn:3gpp:mcptt:user-profile:1.0' },
  documents: [
    {
      sel: profileSel,
      previousEtag: '"a1"',
      newEtag: '"a2"',
      patch: [
        { op: 'replace', sel: 'up:mcptt-user-profile/up:Status/text()', content: 'false' },
        { op: 'add', sel: 'up:mcptt-user-profile/up:Common', pos: 'prepend', content: '<ParticipantType xmlns="urn:3gpp:mcptt:user-profile:1.0">dispatcher</ParticipantType>' },
        { op: 'remove', sel: 'up:mcptt-user-profile/up:Name[2]', ws: 'before' },
      ],
    },
    { sel: 'org.3gpp.mcptt.service-config/global/service-config.xml', previousEtag: '"s1"', newEtag: '"s1"', bodyNotChanged: true },
    { sel: 'org.3gpp.mcptt.ue-config/users/sip:alice@mcx-a.example.net/urn:uuid:1', previousEtag: '"u1"' },
  ],
  elements: [{ sel: `${profileSel}/~~/mcptt-user-profile/Status`, exists: true, content: '<Status xmlns="urn:3gpp:mcptt:user-profile:1.0">false</Status>' }],
  attributes: [{ sel: `${profileSel}/~~/mcptt-user-profile/@user-profile-index`, exists: true, value: '1' }],
};

describe('xcap-diff model and codec (RFC 5874)', () => {
  it('parse(serialize(x)) deep-equals x for generated models, patch content and extensions included', () => {
    fc.assert(
      fc.property(arbitrary, (x) => {
        expect(parseXcapDiff(serializeXcapDiff(x))).toEqual(x);
      }),
      { numRuns: 60 },
    );
  });

  it('writes the root in the xcap-diff namespace with xcap-root, and reads the minimal document back', () => {
    const xml = serializeXcapDiff({ xcapRoot: 'https://x/xcap-root', documents: [] });
    expect(xml).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<xcap-diff xmlns="${XCAP_DIFF_NAMESPACE}" xcap-root="https://x/xcap-root"/>\n`);
    expect(parseXcapDiff(xml)).toEqual({ xcapRoot: 'https://x/xcap-root', documents: [] });
  });

  it('an initial NOTIFY has one document per subscribed URI with new-etag only', () => {
    const initial = serializeXcapDiff({ xcapRoot: 'https://x/xcap-root', documents: [{ sel: profileSel, newEtag: '"a1"' }] });
    expect(initial).toContain(`<document sel="${profileSel}" new-etag="&quot;a1&quot;"/>`);
  });

  it('declares the selector prefixes on the root and keeps patch content unindented', () => {
    const xml = serializeXcapDiff(maximal);
    const root = parseXml(xml).documentElement!;
    expect(root.getAttribute('xmlns:up')).toBe('urn:3gpp:mcptt:user-profile:1.0');
    expect(xml).toContain('<replace sel="up:mcptt-user-profile/up:Status/text()">false</replace>');
    expect(root.getElementsByTagName('body-not-changed').length).toBe(1);
    expect(parseXcapDiff(xml)).toEqual(maximal);
  });

  it('rejects a document without sel, body-not-changed with patches, an unknown pos, no xcap-root', () => {
    const xml = serializeXcapDiff(maximal);
    expect(documentError(() => parseXcapDiff(xml.replace(`<document sel="${profileSel}"`, '<document'))).where).toMatch(/xcap-diff\/document\/@sel/);
    expect(documentError(() => parseXcapDiff(xml.replace('<remove ', '<body-not-changed/><remove '))).code).toBe('schema');
    expect(documentError(() => parseXcapDiff(xml.replace('pos="prepend"', 'pos="middle"'))).where).toMatch(/add\/@pos/);
    expect(documentError(() => parseXcapDiff(xml.replace(/ xcap-root="[^"]*"/, ''))).where).toMatch(/@xcap-root/);
  });

  it('rejects another root, another namespace, truncated XML and a DOCTYPE', () => {
    const xml = serializeXcapDiff(maximal);
    expect(documentError(() => parseXcapDiff(xml.replace('<xcap-diff ', '<xcap-dif ').replace('</xcap-diff>', '</xcap-dif>'))).code).toBe('wrong-root');
    expect(documentError(() => parseXcapDiff(xml.replace(`xmlns="${XCAP_DIFF_NAMESPACE}"`, 'xmlns="urn:other"'))).code).toBe('wrong-namespace');
    expect(documentError(() => parseXcapDiff(xml.slice(0, xml.length / 2))).code).toBe('not-well-formed');
    expect(documentError(() => parseXcapDiff(xml.replace('?>', '?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>'))).code).toBe('doctype-forbidden');
  });

  it('refuses to serialize a model whose patch content is not well-formed', () => {
    const bad: XcapDiff = { xcapRoot: 'https://x/r', documents: [{ sel: profileSel, previousEtag: 'a', newEtag: 'b', patch: [{ op: 'replace', sel: '/n1:r', content: '<open>' }] }] };
    expect(documentError(() => serializeXcapDiff(bad)).code).toBe('invalid-model');
  });
});

describe('xcap-diff from another server: prefixes and content as RFC 5261 allows them', () => {
  const sel = 'resource-lists/users/sip:bob@example.com/index';
  const body = '<?xml version="1.0" encoding="UTF-8"?>\n<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="a"><entry uri="sip:x@y"/></list></resource-lists>\n';

  it('resolves a sel prefix declared on the root, and one declared on the operation', () => {
    const onRoot = `<xcap-diff xmlns="${XCAP_DIFF_NAMESPACE}" xmlns:rl="urn:ietf:params:xml:ns:resource-lists" xcap-root="r"><document sel="${sel}" previous-etag="e1" new-etag="e2"><add sel="/rl:resource-lists/rl:list[1]"><entry xmlns="urn:ietf:params:xml:ns:resource-lists" uri="sip:z@y"/></add></document></xcap-diff>`;
    const [a] = applyXcapDiff(onRoot, () => ({ etag: 'e1', body }));
    expect(a).toMatchObject({ action: 'patched', etag: 'e2' });
    if (a?.action === 'patched') expect(a.body).toContain('<entry uri="sip:x@y"/><entry uri="sip:z@y"/></list>');
    const onOp = onRoot.replace(' xmlns:rl="urn:ietf:params:xml:ns:resource-lists"', '').replace('<add ', '<add xmlns:rl="urn:ietf:params:xml:ns:resource-lists" ');
    expect(parseXcapDiff(onOp).documents[0]!.patch![0]!.namespaces).toEqual({ rl: 'urn:ietf:params:xml:ns:resource-lists' });
    expect(applyXcapDiff(onOp, () => ({ etag: 'e1', body }))[0]).toMatchObject({ action: 'patched', etag: 'e2' });
  });

  it('keeps CDATA and comments of patch content, so the patched copy matches the server byte for byte', () => {
    const xml = `<xcap-diff xmlns="${XCAP_DIFF_NAMESPACE}" xcap-root="r"><document sel="${sel}" previous-etag="e1" new-etag="e2" xmlns:n1="urn:ietf:params:xml:ns:resource-lists"><add sel="/n1:resource-lists/n1:list[1]" pos="prepend"><![CDATA[<raw>]]><!--note--></add></document></xcap-diff>`;
    expect(parseXcapDiff(xml).documents[0]!.patch).toEqual([{ op: 'add', sel: '/n1:resource-lists/n1:list[1]', pos: 'prepend', content: '<![CDATA[<raw>]]><!--note-->' }]);
    const [a] = applyXcapDiff(xml, () => ({ etag: 'e1', body }));
    expect(a).toMatchObject({ action: 'patched' });
    if (a?.action === 'patched') expect(a.body).toContain('<list name="a"><![CDATA[<raw>]]><!--note--><entry uri="sip:x@y"/></list>');
  });

  it('an element in no namespace in patch content is written with xmlns="" and arrives in no namespace', () => {
    const xml = `<xcap-diff xmlns="${XCAP_DIFF_NAMESPACE}" xcap-root="r"><document sel="${sel}" previous-etag="e1" new-etag="e2" xmlns:n1="urn:ietf:params:xml:ns:resource-lists"><add sel="/n1:resource-lists"><plain xmlns=""/></add></document></xcap-diff>`;
    const content = parseXcapDiff(xml).documents[0]!.patch![0]!;
    expect(content).toMatchObject({ content: '<plain xmlns=""/>' });
    const [a] = applyXcapDiff(xml, () => ({ etag: 'e1', body }));
    if (a?.action !== 'patched') throw new Error(`not patched: ${JSON.stringify(a)}`);
    const added = parseXml(a.body).documentElement!.lastChild as unknown as { localName: string; namespaceURI: string | null };
    expect([added.localName, added.namespaceURI]).toEqual(['plain', null]);
  });
});
