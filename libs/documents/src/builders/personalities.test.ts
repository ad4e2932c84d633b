import { validateXml } from '@mcx/schemas';
import { describe, expect, it } from 'vitest';
import { parseUserProfile, serializeUserProfile } from '../user-profile/user-profile.ts';
import { isAllowed, isPreSelected } from '../user-profile/defaults.ts';
import { serializeUeInitConfig } from '../ue-init-config/ue-init-config.ts';
import { buildUserProfiles, exampleMcSystem, PERSONALITIES } from './personalities.ts';
import { partnerMcSystemsOf } from './user-profile.ts';
import { plmnsOf } from './ue-init-config.ts';

const partners = [exampleMcSystem('mcx-b', '00201', ['00202']), exampleMcSystem('mcx-c', '00301')];
const profiles = buildUserProfiles({
  mcpttId: 'sip:alice@mcx-a.example.net',
  displayName: 'Alice',
  groups: [{ groupId: 'sip:fire-ops@mcx-a.example.net', implicit: true }],
  partners,
});

describe('user personalities (TS 23.280 10.1.4.1) with partner entries (TS 24.484 4.2.2.1.2.1)', () => {
  it('builds home, mutual aid and limited functionality profiles, home pre-selected', () => {
    expect(profiles.map((p) => p.profileName?.[0]?.value)).toEqual(PERSONALITIES.map((p) => p.profileName));
    expect(profiles.map((p) => p.userProfileIndex)).toEqual([1, 2, 3]);
    expect(profiles.map(isPreSelected)).toEqual([true, false, false]);
    expect(profiles.map((p) => isAllowed(p, 'allow-private-call'))).toEqual([true, true, false]);
  });
  it('every profile and every embedded partner configuration validates against the Rel-13 XSDs', async () => {
    for (const p of profiles) {
      const r = await validateXml(serializeUserProfile(p), 'rel13/mcptt-user-profile.xsd');
      expect(r.ok, r.errors.join('\n')).toBe(true);
      for (const partner of partnerMcSystemsOf(p)) {
        const e = await validateXml(serializeUeInitConfig(partner.ueInitConfig), 'rel13/ue-init-config.xsd');
        expect(e.ok, e.errors.join('\n')).toBe(true);
      }
    }
  });
  it('a registered PLMN finds its partner through the embedded UE initial configuration', () => {
    const parsed = parseUserProfile(serializeUserProfile(profiles[1]!));
    const match = partnerMcSystemsOf(parsed).find((p) => plmnsOf(p.ueInitConfig).includes('00202'));
    expect(match?.id).toBe('mcx-b');
    expect(match?.ueInitConfig.defaultUserProfile?.userProfileIndex).toBe(2);
  });
});
