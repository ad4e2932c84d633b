import { describe, expect, it } from 'vitest';
import { codecArbitrary } from '@mcx/xml/testing';
import { documentSuite, expectDocumentError } from '../../test/document-suite.ts';
import { buildUeInitConfig, mcsUriOf, plmnsOf } from '../builders/ue-init-config.ts';
import { exampleMcSystem } from '../builders/personalities.ts';
import { parseUeInitConfig, serializeUeInitConfig, ueInitConfigCodec, ueInitConfigDocument, type UeInitConfig } from './ue-init-config.ts';

const system = exampleMcSystem('mcx-a', '00101', ['00102', '310260']);
const built = buildUeInitConfig({ ...system, ueId: 'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66', defaultProfile: { userId: 'sip:alice@mcx-a.example.net', index: 1 }, withOffNetwork: true });

const maximal: UeInitConfig = {
  ...built,
  xuiUri: 'sip:alice@mcx-a.example.net',
  otherAttrs: { '{urn:vendor}build': '42' },
  mcpttUeId: {
    index: 'ue1',
    instanceIdUrn: ['urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66'],
    imeiRange: [{ tac: { value: '35209900' }, snr: [{ value: '000001' }], snrRange: [{ lowSnr: { value: '000010' }, highSnr: { value: '000099' } }], anyExt: [] }],
    anyExt: ['<vendor-id xmlns="urn:vendor">x</vendor-id>'],
  },
  name: [{ value: 'MCX initial configuration', lang: 'en' }, { value: 'Configuration initiale', lang: 'fr', index: '2' }],
  onNetwork: {
    ...built.onNetwork!,
    appServerInfo: { ...built.onNetwork!.appServerInfo, tlsTunnelAuthMethod: { mutualAuthentication: true, x509: 'MIIB...', key: 'psk-id', anyExt: [] } },
    anyExt: { mcpttServiceDetails: { serverUri: system.mcsUri }, other: ['<MCVideo-Service-Details xmlns="urn:3gpp:mcptt:mcpttUEinitConfig:1.0"><Server-URI>sip:mcvideo-psi@mcx-a.example.net</Server-URI></MCVideo-Service-Details>'] },
    other: ['<v:hint xmlns:v="urn:vendor" v:level="2"/>'],
  },
  anyExt: ['<ext xmlns="urn:vendor"/>'],
  other: ['<v:note xmlns:v="urn:vendor">kept</v:note>'],
};

const minimal: UeInitConfig = { domain: 'mcx-a.example.net' };

documentSuite('UE initial configuration', {
  document: ueInitConfigDocument,
  xsd: 'rel13/ue-init-config.xsd',
  minimal,
  maximal,
  arbitrary: codecArbitrary(ueInitConfigCodec),
  numRuns: 30,
});

describe('UE initial configuration: what a migrating UE needs (TS 24.484 clause 4.2.2.1.2)', () => {
  it('carries the PLMN ids, IdMS endpoints, CMS/GMS XCAP roots and PSIs and the MC service server PSI', () => {
    const doc = parseUeInitConfig(serializeUeInitConfig(built));
    expect(plmnsOf(doc)).toEqual(['00101', '00102', '310260']);
    expect(doc.onNetwork?.appServerInfo.idmsAuthEndpoint).toBe('https://idms.mcx-a.example.net/authorize');
    expect(doc.onNetwork?.appServerInfo.idmsTokenEndpoint).toBe('https://idms.mcx-a.example.net/token');
    expect(doc.onNetwork?.cmsXcapRootUri).toBe('https://cms.mcx-a.example.net/xcap-root');
    expect(doc.onNetwork?.gmsXcapRootUri).toBe('https://gms.mcx-a.example.net/xcap-root');
    expect(doc.onNetwork?.appServerInfo.cms).toBe('sip:cms-psi@mcx-a.example.net');
    expect(doc.onNetwork?.gmsUri).toBe('sip:gms-psi@mcx-a.example.net');
    expect(mcsUriOf(doc)).toBe('sip:mcptt-psi@mcx-a.example.net');
    expect(doc.defaultUserProfile).toEqual({ userId: 'sip:alice@mcx-a.example.net', userProfileIndex: 1 });
  });
});

describe('UE initial configuration: rejections say what and where', () => {
  const xml = serializeUeInitConfig(maximal);
  it('missing required attribute domain', () => {
    expectDocumentError(() => parseUeInitConfig(xml.replace(/ domain="[^"]*"/, '')), 'schema', /^\/mcptt-UE-initial-configuration\/@domain/);
  });
  it('missing required attribute PLMN on HPLMN', () => {
    const e = expectDocumentError(() => parseUeInitConfig(xml.replace('<HPLMN PLMN="00101">', '<HPLMN>')), 'schema', /\/on-network\/HPLMN\/@PLMN/);
    expect(e.reason).toContain('PLMN');
  });
  it('a timer that is not an unsignedByte', () => {
    expectDocumentError(() => parseUeInitConfig(xml.replace('<T100>2</T100>', '<T100>300</T100>')), 'schema', /\/on-network\/Timers\/T100 \(line \d+, column \d+\)$/);
    expectDocumentError(() => parseUeInitConfig(xml.replace('<T100>2</T100>', '<T100>two</T100>')), 'schema', /T100/);
  });
  it('a boolean that is not xs:boolean', () => {
    expectDocumentError(() => parseUeInitConfig(xml.replace('<integrity-protection-enabled>false<', '<integrity-protection-enabled>no<')), 'schema', /integrity-protection-enabled/);
  });
  it('a missing required element', () => {
    expectDocumentError(() => parseUeInitConfig(xml.replace(/<T132>2<\/T132>/, '')), 'schema', /Timers\/T132/);
  });
  it('strict mode refuses an unknown element in the 3GPP namespace; lenient mode keeps it', () => {
    const bad = xml.replace('<Timers>', '<Timers><T999>1</T999>');
    expectDocumentError(() => parseUeInitConfig(bad, { strict: true }), 'schema', /Timers\/T999/);
    expect(parseUeInitConfig(bad).onNetwork?.timers.other).toEqual(['<T999 xmlns="urn:3gpp:mcptt:mcpttUEinitConfig:1.0">1</T999>']);
  });
  it('strict mode refuses children out of sequence order', () => {
    const swapped = xml.replace(/(<T100>2<\/T100>)(\s*)(<T101>3<\/T101>)/, '$3$2$1');
    expectDocumentError(() => parseUeInitConfig(swapped, { strict: true }), 'schema', /T100/);
  });
  it('serializing an invalid model is refused with invalid-model', () => {
    expectDocumentError(() => serializeUeInitConfig({ ...minimal, defaultUserProfile: { userId: 'sip:a@b', userProfileIndex: 256 } }), 'invalid-model', /defaultUserProfile\.userProfileIndex/);
    expectDocumentError(() => serializeUeInitConfig({ ...minimal, anyExt: ['<not-closed>'] }), 'invalid-model');
    expectDocumentError(() => serializeUeInitConfig({ ...minimal, name: [{ value: 'bad\u0001char' }] }), 'invalid-model');
  });
});
