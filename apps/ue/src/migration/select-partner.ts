/**
 * Partner MC system selection (TS 24.484 clause 4.2.2.1.2.2, default policy): the registered
 * PLMN is matched against the PLMN ids (HPLMN, then VPLMNs) of the MCS UE initial configuration
 * embedded in each partner entry (seed 000), profiles in selection order (pre-selected first),
 * entries in document order; the first match wins. Provisional until the clause text is read.
 */
import { plmnsOf } from '@mcx/documents';
import { describeProfile, profileOrder, type PartnerSelectionPolicy } from './policies.ts';

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
