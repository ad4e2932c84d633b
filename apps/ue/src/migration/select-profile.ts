/**
 * User profile selection for the partner system (TS 24.484 clause 4.2.2.1.2.3, default policy):
 * among the primary-configured profiles that list the selected partner, the pre-selected one
 * (`<Pre-selected-indication/>`) first, then the lowest index. Provisional until the clause text
 * is read.
 */
import { StepError } from '../ue/states.ts';
import type { Step } from '../ue/step-runner.ts';
import type { MigrationContext } from './context.ts';
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

/** TS 24.484 4.2.2.1.2.3: the host's profile selection policy for the selected partner. */
export const selectProfileStep: Step<MigrationContext> = {
  name: 'select-profile',
  clause: 'TS 24.484 4.2.2.1.2.3',
  async run(ctx) {
    const policy = ctx.ue.host.profilePolicy;
    const partner = ctx.partner!;
    const q = policy.select({ partner, profiles: ctx.profiles });
    if ('none' in q) throw new StepError('select-profile', q.reason, false);
    ctx.profile = q.choice;
    return { event: 'PROFILE_SELECTED', text: `user profile ${q.choice.index} selected for ${partner.systemId} (${policy.name}): ${q.reason}` };
  },
};
