import { ALLOW_ACTION_DEFAULT, ALLOW_ACTIONS, type AllowAction } from './allow-actions.ts';
import type { UserProfile } from './user-profile.ts';

/**
 * The effective value of every `allow-*` authorisation of a profile.
 * - An absent authorisation is false (TS 24.484 clause 8.3.2.1, table 8.3.2.7; {@link ALLOW_ACTION_DEFAULT}).
 * - Several rules combine by "true wins" (RFC 4745 clause 10.2, boolean permissions).
 * Rule conditions are not evaluated: every rule of the user's own profile is taken to apply to
 * that user (the Rel-13 profile has no other condition semantics for these actions).
 */
export function effectiveAllowActions(profile: UserProfile): Record<AllowAction, boolean> {
  const out = Object.fromEntries(ALLOW_ACTIONS.map((a) => [a, ALLOW_ACTION_DEFAULT])) as Record<AllowAction, boolean>;
  for (const rule of profile.ruleset?.rule ?? []) {
    for (const a of ALLOW_ACTIONS) {
      if (rule.actions?.[a] === true) out[a] = true;
    }
  }
  return out;
}

/** Whether the profile grants one authorisation (false when absent). */
export function isAllowed(profile: UserProfile, action: AllowAction): boolean {
  return effectiveAllowActions(profile)[action];
}

/** The profile's pre-selected indication (TS 23.379 annex A.3); absent means not pre-selected. */
export function isPreSelected(profile: UserProfile): boolean {
  return profile.preSelectedIndication === true;
}

/** The profile status (TS 23.379 annex A.3 "enabled/disabled"); absent is taken as enabled (our choice, the Rel-13 text is silent). */
export function isEnabled(profile: UserProfile): boolean {
  return profile.status !== false;
}
