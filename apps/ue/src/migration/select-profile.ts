/**
 * User profile selection for the partner system (TS 24.484 clause 4.2.2.1.2.3, default policy):
 * among the primary-configured profiles that list the selected partner, the pre-selected one
 * (`<Pre-selected-indication/>`) first, then the lowest index. Provisional until the clause text
 * is read.
 */
import { describeProfile, profileOrder, type ProfileSelectionPolicy } from './policies.ts';

export const preSelectedFirstProfilePolicy: ProfileSelectionPolicy = {
  name: 'pre-selected-first',
  select({ partner, profiles }) {
    const listing = profileOrder(profiles).filter((p) => p.partners.some((e) => e.id === partner.systemId));
    const first = listing[0];
    if (!first) return { none: true, reason: `no user profile lists partner MC system ${partner.systemId}` };
    return {
      choice: first,
      reason: first.preSelected
        ? `${describeProfile(first)} is pre-selected and lists ${partner.systemId}`
        : `${describeProfile(first)} is the lowest index listing ${partner.systemId} (none pre-selected does)`,
    };
  },
};
