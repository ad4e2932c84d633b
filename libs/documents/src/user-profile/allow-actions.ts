/**
 * The `allow-*` authorisations of the MCPTT user profile (Rel-13 `mcptt-user-profile.xsd`
 * global elements, carried in common-policy `<cp:ruleset><cp:rule><cp:actions>`,
 * TS 24.484 clause 8.3.2.1 and table 8.3.2.7).
 */
import type { z } from 'zod';
import { complex, ext3gpp, opt, type ChildField, xsBoolean } from '@mcx/xml';

export const ALLOW_ACTIONS = [
  'allow-presence-status',
  'allow-request-presence',
  'allow-query-availability-for-private-calls',
  'allow-enable-disable-user',
  'allow-enable-disable-UE',
  'allow-create-delete-user-alias',
  'allow-private-call',
  'allow-manual-commencement',
  'allow-automatic-commencement',
  'allow-force-auto-answer',
  'allow-failure-restriction',
  'allow-emergency-group-call',
  'allow-emergency-private-call',
  'allow-cancel-group-emergency',
  'allow-cancel-private-emergency-call',
  'allow-imminent-peril-call',
  'allow-cancel-imminent-peril',
  'allow-activate-emergency-alert',
  'allow-cancel-emergency-alert',
  'allow-offnetwork',
  'allow-imminent-peril-change',
  'allow-private-call-media-protection',
  'allow-private-call-floor-control-protection',
  'allow-request-affiliated-groups',
  'allow-request-to-affiliate-other-users',
  'allow-recommend-to-affiliate-other-users',
  'allow-private-call-to-any-user',
  'allow-regroup',
  'allow-private-call-participation',
  'allow-override-of-transmission',
  'allow-manual-off-network-switch',
  'allow-listen-both-overriding-and-overridden',
  'allow-transmit-during-override',
  'allow-off-network-group-call-change-to-emergency',
  'allow-revoke-transmit',
  'allow-create-group-broadcast-group',
  'allow-create-user-broadcast-group',
  'allow-request-private-call-call-back',
  'allow-cancel-private-call-call-back',
  'allow-request-remote-initiated-ambient-listening',
  'allow-request-locally-initiated-ambient-listening',
  'allow-request-first-to-answer-call',
  'allow-request-remote-init-private-call',
  'allow-request-remote-init-group-call',
] as const;

export type AllowAction = (typeof ALLOW_ACTIONS)[number];

/**
 * Value of an `allow-*` authorisation that is absent: **false** (TS 24.484 clause 8.3.2.1 11)
 * and table 8.3.2.7: an absent permission is not granted; RFC 4745 clause 10.2: the value of a
 * permission no rule grants is the "deny" default).
 */
export const ALLOW_ACTION_DEFAULT = false;

type AllowFields = { [K in AllowAction]: ChildField<z.ZodOptional<z.ZodType<boolean>>> };

/** Builds the `<cp:actions>` codec; the allow-* elements are in the user profile namespace. */
export function allowActionsCodec(userProfileNs: string) {
  const fields = Object.fromEntries(ALLOW_ACTIONS.map((n) => [n, opt(n, xsBoolean, userProfileNs)])) as AllowFields;
  return complex({ ...fields, other: ext3gpp().other }, { order: 'choice', keepUnknown: true });
}
