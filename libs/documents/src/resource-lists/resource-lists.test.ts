import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extensionArbitrary, simpleArbitrary, xmlText } from '@mcx/xml/testing';
import { documentSuite, expectDocumentError } from '../../test/document-suite.ts';
import { xsAnyUri, xsLanguage } from '@mcx/xml';
import { parseResourceLists, resourceListsDocument, resourceListsOf, resourceListUris, serializeResourceLists, type ResourceList, type ResourceListItem, type ResourceLists } from './resource-lists.ts';

const uri = simpleArbitrary(xsAnyUri) as fc.Arbitrary<string>;
const displayName = fc.record({ value: xmlText, lang: simpleArbitrary(xsLanguage) as fc.Arbitrary<string> }, { requiredKeys: ['value'] });
const tail = { other: fc.array(extensionArbitrary, { minLength: 1, maxLength: 1 }), otherAttrs: fc.dictionary(fc.constant('{urn:test:attr}a'), xmlText, { minKeys: 1, maxKeys: 1 }) };
const { list: listArb } = fc.letrec<{ list: ResourceList; item: ResourceListItem }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('entry' as const), entry: fc.record({ uri, displayName, ...tail }, { requiredKeys: ['uri'] }) }),
    fc.record({ kind: fc.constant('entry-ref' as const), entryRef: fc.record({ ref: uri, displayName, ...tail }, { requiredKeys: ['ref'] }) }),
    fc.record({ kind: fc.constant('external' as const), external: fc.record({ anchor: uri, displayName, ...tail }, { requiredKeys: [] }) }),
    fc.record({ kind: fc.constant('list' as const), list: tie('list') as fc.Arbitrary<ResourceList> }),
  ),
  list: fc.record({ name: xmlText, displayName, items: fc.array(tie('item') as fc.Arbitrary<ResourceListItem>, { minLength: 1, maxLength: 3 }), ...tail }, { requiredKeys: [] }),
}));

const subscription = resourceListsOf([
  'org.3gpp.mcptt.ue-config/users/sip:alice@mcx-a.example.net/urn:uuid:1',
  'org.3gpp.mcptt.user-profile/users/sip:alice@mcx-a.example.net/mcptt-user-profile-1.xml',
  'org.3gpp.mcptt.service-config/global/service-config.xml',
]);
const maximal: ResourceLists = {
  lists: [
    {
      name: 'subscribed',
      displayName: { value: 'Documents', lang: 'en' },
      items: [
        ...subscription.lists![0]!.items!,
        { kind: 'entry-ref', entryRef: { ref: 'resource-lists/users/sip:alice@x/index/~~/resource-lists/list%5b@name=%22a%22%5d/entry' } },
        { kind: 'external', external: { anchor: 'https://x/resource-lists/users/sip:bob@x/index/~~/resource-lists/list' } },
        { kind: 'list', list: { name: 'nested', items: [{ kind: 'entry', entry: { uri: 'sip:bob@x', displayName: { value: 'Bob' }, otherAttrs: { '{urn:v}a': '1' } } }] } },
      ],
      other: ['<v:x xmlns:v="urn:v"/>'],
    },
    { name: 'empty' },
  ],
};

documentSuite('resource-lists', { document: resourceListsDocument, xsd: 'ietf/resource-lists.xsd', minimal: {}, maximal, arbitrary: fc.record({ lists: fc.array(listArb, { minLength: 1, maxLength: 2 }) }, { requiredKeys: [] }) });

describe('resource-lists: subscription proxy body (TS 24.484 clause 6.3.13.2.2)', () => {
  it('lists the subscribed XCAP URIs in order, nested lists included', () => {
    expect(resourceListUris(parseResourceLists(serializeResourceLists(maximal)))).toEqual([...resourceListUris(subscription), 'sip:bob@x']);
  });
  it('rejects an entry without uri and an unknown element in its namespace', () => {
    const xml = serializeResourceLists(subscription);
    expectDocumentError(() => parseResourceLists(xml.replace(/<entry uri="[^"]*"/, '<entry')), 'schema', /list\/entry\/@uri/);
    expectDocumentError(() => parseResourceLists(xml.replace('<list>', '<list><bogus/>')), 'schema', /list\/bogus/);
  });
});
