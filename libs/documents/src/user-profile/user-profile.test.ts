import { describe, expect, it } from 'vitest';
import { codecArbitrary } from '@mcx/xml/testing';
import { documentSuite, expectDocumentError } from '../../test/document-suite.ts';
import { buildUserProfiles, exampleMcSystem } from '../builders/personalities.ts';
import { partnerMcSystemsOf } from '../builders/user-profile.ts';
import { effectiveAllowActions, isAllowed, isEnabled, isPreSelected } from './defaults.ts';
import { parseUserProfile, serializeUserProfile, userProfileCodec, userProfileDocument, type UserProfile, type UserProfileEntry } from './user-profile.ts';
import { MIGRATABLE_PARTNER_ELEMENT, PARTNER_SYSTEM_ID_ELEMENT } from '../migration-names.ts';
import { validateXml } from '@mcx/schemas';

const alice = 'sip:alice@mcx-a.example.net';
const [home] = buildUserProfiles({
  mcpttId: alice,
  displayName: 'Alice',
  organization: 'County Fire',
  groups: [{ groupId: 'sip:fire-ops@mcx-a.example.net', displayName: 'Fire ops', implicit: true }, { groupId: 'sip:all@mcx-a.example.net' }],
  partners: [exampleMcSystem('mcx-b', '00201', ['00202']), exampleMcSystem('mcx-c', '00301')],
});
const entry = (uri: string): UserProfileEntry => ({ uriEntry: uri });

const maximal: UserProfile = {
  ...home!,
  otherAttrs: { '{urn:vendor}rev': '7' },
  common: {
    ...home!.common,
    index: 'c1',
    mcpttUserId: { uriEntry: alice, displayName: { value: 'Alice', lang: 'en' }, entryInfo: 'DedicatedGroup', index: '1' },
    privateCall: {
      privateCallList: { privateCallUri: [entry('sip:bob@mcx-a.example.net')], privateCallProSeUser: [{ discoveryGroupId: '0A0B', userInfoId: 'A1B2C3' }] },
      emergencyCall: { privateRecipient: { entry: entry('sip:dispatch@mcx-a.example.net'), proSeUserIdEntry: { userInfoId: 'FF01' } } },
    },
    mcpttGroupCall: {
      maxSimultaneousCallsN6: 2,
      emergencyCall: { groupInitiation: { entry: { ...entry('sip:fire-ops@mcx-a.example.net'), entryInfo: 'UsePreConfigured' } } },
      imminentPerilCall: { groupInitiation: { entry: entry('sip:all@mcx-a.example.net') } },
      emergencyAlert: { entry: entry('sip:dispatch@mcx-a.example.net') },
      priority: 5,
    },
  },
  offNetwork: { mcpttGroupInfo: [{ entry: [entry('sip:offnet-1@mcx-a.example.net')] }], userInfoId: '0102' },
  onNetwork: { ...home!.onNetwork, privateEmergencyAlert: { entry: entry('sip:dispatch@mcx-a.example.net') }, other: ['<v:x xmlns:v="urn:vendor"/>'] },
  anyExt: {
    ...home!.anyExt,
    groupServerInfo: { gmsServId: { entry: [entry('sip:gms-psi@mcx-a.example.net')] }, idmsTokenEndpoint: { entry: [entry('https://idms.mcx-a.example.net/token')] }, kmsUri: { entry: [entry('https://kms.mcx-a.example.net/')] } },
    privateCallKmsUri: { privateCallKmsUri: entry('https://kms.mcx-a.example.net/') },
    relativePresentationPriority: 200,
    remoteGroupSelectionUriList: { entry: [entry('sip:remote@mcx-a.example.net')] },
    other: ['<allow-regroup xmlns="urn:3gpp:mcptt:user-profile:1.0">true</allow-regroup>'],
  },
  ruleset: {
    rule: [
      {
        id: 'r1',
        conditions: { other: ['<cp:identity xmlns:cp="urn:ietf:params:xml:ns:common-policy"><cp:one id="sip:alice@mcx-a.example.net"/></cp:identity>'] },
        actions: { 'allow-private-call': true, 'allow-regroup': false, 'allow-request-remote-init-group-call': true },
        transformations: {},
      },
      { id: 'r2', actions: { 'allow-emergency-group-call': true } },
    ],
  },
  other: ['<v:profile-note xmlns:v="urn:vendor">note</v:profile-note>'],
};

documentSuite('MCPTT user profile', {
  document: userProfileDocument,
  xsd: 'rel13/mcptt-user-profile.xsd',
  minimal: { xuiUri: alice, userProfileIndex: 0, status: true },
  maximal,
  arbitrary: codecArbitrary(userProfileCodec),
  numRuns: 25,
});

describe('MCPTT user profile: partner MC systems (TS 24.484 clause 4.2.2.1.2.1)', () => {
  const parsed = parseUserProfile(serializeUserProfile(home!));
  it('lists each partner with its identity and a complete embedded UE initial configuration', () => {
    const partners = partnerMcSystemsOf(parsed);
    expect(partners.map((p) => p.id)).toEqual(['mcx-b', 'mcx-c']);
    expect(partners[0]?.ueInitConfig.onNetwork?.hplmn.plmn).toBe('00201');
    expect(partners[0]?.ueInitConfig.onNetwork?.appServerInfo.idmsTokenEndpoint).toBe('https://idms.mcx-b.example.net/token');
    expect(partners[0]?.ueInitConfig.defaultUserProfile).toEqual({ userId: alice, userProfileIndex: 1 });
  });
  it('writes one MigratablePartnerMCPTTSystemInfo per partner in the user-profile namespace inside the root anyExt, the embedded document in its 3GPP namespace', () => {
    const xml = serializeUserProfile(home!);
    expect(xml).toMatch(new RegExp(`<anyExt>\\s*<${MIGRATABLE_PARTNER_ELEMENT}>\\s*<${PARTNER_SYSTEM_ID_ELEMENT}>mcx-b</${PARTNER_SYSTEM_ID_ELEMENT}>\\s*<mcptt-UE-initial-configuration xmlns="urn:3gpp:mcptt:mcpttUEinitConfig:1.0" domain="mcx-b.example.net">`));
    expect(xml.match(new RegExp(`<${MIGRATABLE_PARTNER_ELEMENT}>`, 'g'))).toHaveLength(2);
    expect(xml).not.toContain('urn:mcx-ecosystem');
  });
  it('validates with libxml2 against the Rel-13 user profile schema and, with the entries checked, against the inferred partner-entry schema', async () => {
    const xml = serializeUserProfile(home!);
    expect(await validateXml(xml, 'rel13/mcptt-user-profile.xsd')).toMatchObject({ ok: true, errors: [] });
    const entry = /<MigratablePartnerMCPTTSystemInfo>[\s\S]*?<\/MigratablePartnerMCPTTSystemInfo>/.exec(xml)![0].replace('<MigratablePartnerMCPTTSystemInfo>', '<MigratablePartnerMCPTTSystemInfo xmlns="urn:3gpp:mcptt:user-profile:1.0">');
    expect(await validateXml(entry, 'inferred/mcptt-migration.xsd')).toMatchObject({ ok: true, errors: [] });
    const noId = entry.replace(/<PartnerMCPTTSystemId>[^<]*<\/PartnerMCPTTSystemId>/, '');
    expect((await validateXml(noId, 'inferred/mcptt-migration.xsd')).ok).toBe(false);
  });
  it('reports an invalid embedded document with its full path', () => {
    const xml = serializeUserProfile(home!).replace('<T100>2</T100>', '<T100>x</T100>');
    expectDocumentError(() => parseUserProfile(xml), 'schema', /^\/mcptt-user-profile\/anyExt\/MigratablePartnerMCPTTSystemInfo\/mcptt-UE-initial-configuration\/on-network\/Timers\/T100/);
  });
  it('a partner entry without PartnerMCPTTSystemId is refused', () => {
    const xml = serializeUserProfile(home!).replace('<PartnerMCPTTSystemId>mcx-b</PartnerMCPTTSystemId>', '');
    expectDocumentError(() => parseUserProfile(xml), 'schema', /MigratablePartnerMCPTTSystemInfo/);
  });
});

describe('MCPTT user profile: defaults', () => {
  it('allow-* absent is false (TS 24.484 clause 8.3.2.1); rules combine with true winning (RFC 4745 clause 10.2)', () => {
    const eff = effectiveAllowActions(maximal);
    expect(eff['allow-private-call']).toBe(true);
    expect(eff['allow-emergency-group-call']).toBe(true);
    expect(eff['allow-regroup']).toBe(false);
    expect(eff['allow-offnetwork']).toBe(false);
    expect(isAllowed({ xuiUri: alice, userProfileIndex: 1 }, 'allow-private-call')).toBe(false);
  });
  it('pre-selected indication and status', () => {
    expect(isPreSelected(home!)).toBe(true);
    expect(isEnabled({ xuiUri: alice, userProfileIndex: 1 })).toBe(true);
    expect(isEnabled({ xuiUri: alice, userProfileIndex: 1, status: false })).toBe(false);
  });
});

describe('MCPTT user profile: rejections', () => {
  const xml = serializeUserProfile(maximal);
  it('missing XUI-URI / user-profile-index', () => {
    expectDocumentError(() => parseUserProfile(xml.replace(/ XUI-URI="[^"]*"/, '')), 'schema', /^\/mcptt-user-profile\/@XUI-URI/);
    expectDocumentError(() => parseUserProfile(xml.replace(/ user-profile-index="[^"]*"/, '')), 'schema', /@user-profile-index/);
  });
  it('wrong types: index out of range, non-boolean allow-*, bad entry-info, bad hexBinary', () => {
    expectDocumentError(() => parseUserProfile(xml.replace('user-profile-index="1"', 'user-profile-index="-1"')), 'schema', /@user-profile-index/);
    expectDocumentError(() => parseUserProfile(xml.replace('<allow-private-call>true<', '<allow-private-call>yes<')), 'schema', /cp:actions\/allow-private-call/);
    expectDocumentError(() => parseUserProfile(xml.replace('entry-info="DedicatedGroup"', 'entry-info="Whatever"')), 'schema', /@entry-info/);
    expectDocumentError(() => parseUserProfile(xml.replace('<User-Info-ID>0102<', '<User-Info-ID>XYZ<')), 'schema', /OffNetwork\/User-Info-ID/);
  });
  it('the wrong (hobby-server) namespace urn:3gpp:ns:mcpttUserProfile:1.0 is refused', () => {
    expectDocumentError(() => parseUserProfile(xml.replace('xmlns="urn:3gpp:mcptt:user-profile:1.0"', 'xmlns="urn:3gpp:ns:mcpttUserProfile:1.0"')), 'wrong-namespace');
  });
  it('a duplicated single element is refused', () => {
    expectDocumentError(() => parseUserProfile(xml.replace('<Status>true</Status>', '<Status>true</Status><Status>false</Status>')), 'schema', /Status/);
  });
});
