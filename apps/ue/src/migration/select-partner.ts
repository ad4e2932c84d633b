/**
 * Partner MC system selection (TS 24.484 clause 4.2.2.1.2.2, default policy): the registered
 * PLMN is matched against the PLMN ids (HPLMN, then VPLMNs) of the MCS UE initial configuration
 * embedded in each partner entry (TS 24.484 clause 4.2.2.1.2.1), profiles in selection order (pre-selected first),
 * entries in document order; the first match wins. Provisional until the clause text is read.
 */
import { plmnsOf } from '@mcx/documents';
import { StepError } from '../ue/states.ts';
import type { Step } from '../ue/step-runner.ts';
import type { MigrationContext } from './context.ts';
import { describeProfile, profileOrder, type PartnerSelectionPolicy } from './policies.ts';
import { primaryProfiles } from './primary-profiles.ts';

export const plmnMatchPartnerPolicy: PartnerSelectionPolicy = {
  name: 'plmn-match',
  select({ plmn, profiles, homeSystem }) {
    const seen: string[] = [];
    for (const profile of profileOrder(profiles)) {
      for (const entry of profile.partners) {
        if (entry.id === homeSystem) continue;
        const plmns = plmnsOf(entry.ueInitConfig);
        seen.push(`${entry.id} [${plmns.join(', ')}]`);
        const at = plmns.indexOf(plmn);
        if (at >= 0) {
          return {
            choice: { systemId: entry.id, entry, foundIn: profile },
            reason: `registered PLMN ${plmn} matches the ${at === 0 ? 'HPLMN' : 'VPLMN'} of partner entry ${entry.id} (${describeProfile(profile)})`,
          };
        }
      }
    }
    return {
      none: true,
      reason: seen.length
        ? `registered PLMN ${plmn} matches no partner MC system entry (${[...new Set(seen)].join('; ')})`
        : `registered PLMN ${plmn} is not a home PLMN and no user profile lists a partner MC system`,
    };
  },
};

/** TS 24.484 4.2.2.1.2.2: the host's partner selection policy over the primary-configured profiles. */
export const selectPartnerStep: Step<MigrationContext> = {
  name: 'select-partner',
  clause: 'TS 24.484 4.2.2.1.2.2',
  async run(ctx) {
    const { ue } = ctx;
    const policy = ue.host.partnerPolicy;
    ctx.profiles = await primaryProfiles(ue);
    const p = policy.select({ plmn: ue.plmn, profiles: ctx.profiles, homeSystem: ue.home!.systemId });
    if ('none' in p) throw new StepError('select-partner', p.reason, false);
    ctx.partner = p.choice;
    return { event: 'PARTNER_SELECTED', text: `partner ${p.choice.systemId} selected (${policy.name}): ${p.reason}` };
  },
};
