import { describe, expect, it } from 'vitest';
import { codecArbitrary } from '@mcx/xml/testing';
import { documentSuite, expectDocumentError } from '../../test/document-suite.ts';
import { buildGroup } from '../builders/group.ts';
import { effectiveGroupProtection } from './defaults.ts';
import { groupCodec, groupDocument, parseGroup, serializeGroup, type Group } from './group.ts';

const built = buildGroup({
  groupId: 'sip:fire-ops@mcx-a.example.net',
  displayName: 'Fire operations',
  priority: 7,
  members: [
    { uri: 'sip:alice@mcx-a.example.net', displayName: 'Alice', participantType: 'first responder', userPriority: 5 },
    { uri: 'sip:dispatch@mcx-a.example.net', participantType: 'dispatcher', userPriority: 1 },
  ],
});
const maximal: Group = {
  ...built,
  listService: {
    ...built.listService,
    ruleset: { rule: [{ id: 'a1', actions: { other: ['<allow-initiate-conference xmlns="urn:oma:xml:xdm:common-policy">true</allow-initiate-conference>'] } }] },
    other: ['<mcpttgi:on-network-recvonly xmlns:mcpttgi="urn:3gpp:ns:mcpttGroupInfo:1.0">false</mcpttgi:on-network-recvonly>'],
  },
};

documentSuite('MC group document', {
  document: groupDocument,
  xsd: undefined,
  minimal: { listService: { uri: 'sip:g@mcx-a.example.net' } },
  maximal,
  arbitrary: codecArbitrary(groupCodec),
});

describe('MC group document: structure (TS 24.481 clause 7.2)', () => {
  const xml = serializeGroup(built);
  it('writes members as list-service entries with mcpttgi participant information', () => {
    expect(xml).toContain('xmlns:mcpttgi="urn:3gpp:ns:mcpttGroupInfo:1.0"');
    expect(xml).toMatch(/<entry uri="sip:alice@mcx-a.example.net">\s*<display-name>Alice<\/display-name>\s*<mcpttgi:user-priority>5<\/mcpttgi:user-priority>\s*<mcpttgi:participant-type>first responder<\/mcpttgi:participant-type>/);
    expect(xml).toContain('<mcpttgi:on-network-group-priority>7</mcpttgi:on-network-group-priority>');
  });
  it('accepts list/entry in the resource-lists namespace (RFC 4826 listType)', () => {
    const rl = '<group xmlns="urn:oma:xml:poc:list-service" xmlns:rl="urn:ietf:params:xml:ns:resource-lists"><list-service uri="sip:g@x"><rl:list><rl:entry uri="sip:a@x"/></rl:list></list-service></group>';
    expect(parseGroup(rl).listService.list?.entry?.[0]?.uri).toBe('sip:a@x');
  });
  it('protection defaults to on when absent', () => {
    expect(effectiveGroupProtection({ listService: { uri: 'sip:g@x' } })).toEqual({ protectMedia: true, protectFloorControlSignalling: true });
    expect(effectiveGroupProtection(built)).toEqual({ protectMedia: false, protectFloorControlSignalling: false });
  });
  it('rejects a missing list-service uri and a bad group priority', () => {
    expectDocumentError(() => parseGroup(xml.replace(/<list-service uri="[^"]*"/, '<list-service')), 'schema', /list-service\/@uri/);
    expectDocumentError(() => parseGroup(xml.replace('on-network-group-priority>7<', 'on-network-group-priority>high<')), 'schema', /on-network-group-priority/);
    expectDocumentError(() => parseGroup('<group xmlns="urn:oma:xml:poc:list-service"/>'), 'schema', /\/group\/list-service/);
  });
});
