import { describe, it } from 'vitest';
import { codecArbitrary } from '@mcx/xml/testing';
import { documentSuite, expectDocumentError } from '../../test/document-suite.ts';
import { buildUeConfig } from '../builders/ue-config.ts';
import { parseUeConfig, serializeUeConfig, ueConfigCodec, ueConfigDocument, type UeConfig } from './ue-config.ts';

const built = buildUeConfig({
  domain: 'mcx-a.example.net',
  ueId: 'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66',
  prioritizedGroups: [{ groupId: 'sip:fire-ops@mcx-a.example.net', priority: 1 }, { groupId: 'sip:all@mcx-a.example.net', priority: 2 }],
  relayedGroups: [{ groupId: 'sip:fire-ops@mcx-a.example.net', relayServiceCode: '000001' }],
});
const maximal: UeConfig = { ...built, xuiUri: 'sip:alice@mcx-a.example.net', anyExt: ['<v:x xmlns:v="urn:vendor"/>'], other: ['<v:y xmlns:v="urn:vendor"/>'], otherAttrs: { '{urn:vendor}a': '1' } };
const minimal: UeConfig = {
  domain: 'mcx-a.example.net',
  common: { privateCall: { maxSimulCallN10: 1 }, mcpttGroupCall: { maxSimulCallN4: 1, maxSimulTransN5: 1, prioritizedMcpttGroup: { groupPriority: [{ groupId: 'sip:g@x', groupPriorityHierarchy: 0 }] } } },
  onNetwork: { ipv6Preferred: false, relayService: false },
};

documentSuite('MCPTT UE configuration', { document: ueConfigDocument, xsd: 'rel13/ue-config.xsd', minimal, maximal, arbitrary: codecArbitrary(ueConfigCodec) });

describe('MCPTT UE configuration: rejections', () => {
  const xml = serializeUeConfig(maximal);
  it('missing required common, zero for a positiveInteger, unexpected attribute on a closed type', () => {
    expectDocumentError(() => parseUeConfig(xml.replace(/<common>[\s\S]*<\/common>/, '')), 'schema', /mcptt-UE-configuration\/common/);
    expectDocumentError(() => parseUeConfig(xml.replace('<Max-Simul-Call-N10>2<', '<Max-Simul-Call-N10>0<')), 'schema', /Max-Simul-Call-N10/);
    expectDocumentError(() => parseUeConfig(xml.replace('<private-call>', '<private-call foo="1">')), 'schema', /private-call\/@foo/);
  });
});
