/**
 * Scenario files (YAML): a declarative list of steps run against an ecosystem through its real
 * interfaces (UE host control API, CMS admin API). Every expectation waits up to `within`.
 * Every object is strict and every enum checked (UE states from @mcx/ue-host-api, protocols,
 * peers), so a typo is an error before anything runs (load.ts names file:line and the step).
 */
import { UE_STATES } from '@mcx/ue-host-api';
import { z } from 'zod';

const duration = z
  .union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?(ms|s)$/)])
  .transform((v) =>
    typeof v === 'number'
      ? v * 1000
      : v.endsWith('ms')
        ? Number(v.slice(0, -2))
        : Number(v.slice(0, -1)) * 1000,
  );
const ue = z.string().min(1);
/** A lane of the UE's message log: the server kind and the system's letter (IdMS-A, CMS-B, ...; docs/ue-host-api.md "Message"). */
export const PEER = /^(IdMS|CMS|GMS|MCS)-[A-Z]$/;
const peer = z.string().regex(PEER, 'a peer is IdMS-<X>, CMS-<X>, GMS-<X> or MCS-<X> (X: the system letter, e.g. CMS-A)');

/** Every step is an object with exactly one key, its type; the value's keys are checked by its own schema. */
export const stepSchema = z.union([
  z.strictObject({
    start_ue: z.strictObject({
      id: z.string().min(1),
      user: z.string().min(1),
      plmn: z.string().optional(),
      password: z.string().optional(),
    }),
  }),
  z.strictObject({ stop_ue: z.strictObject({ ue }) }),
  z.strictObject({ change_plmn: z.strictObject({ ue, plmn: z.string().min(1) }) }),
  z.strictObject({
    expect_state: z.strictObject({
      ue,
      state: z.enum(UE_STATES).optional(),
      system: z.string().nullable().optional(),
      /** Text the UE's last event or error must contain (e.g. the selection reason). */
      reason: z.string().optional(),
      within: duration.default(30_000),
    }),
  }),
  /** Admin edit (offline configuration) of the UE's active user profile in its current system: sets <ProfileName>. */
  z.strictObject({ admin_edit_profile: z.strictObject({ ue, profile_name: z.string().min(1) }) }),
  /** The UE's copy of its active profile has the ETag the CMS now serves (the NOTIFY reached it and it fetched). */
  z.strictObject({
    expect_profile_synchronized: z.strictObject({
      ue,
      within: duration.default(15_000),
      profile_name: z.string().optional(),
    }),
  }),
  z.strictObject({
    expect_message: z.strictObject({
      ue,
      peer: peer.optional(),
      protocol: z.enum(['HTTP', 'SIP']).optional(),
      summary: z.string(),
      direction: z.enum(['in', 'out']).optional(),
      within: duration.default(15_000),
    }),
  }),
  /** Get-with-version of every local copy: each result's status must be in `statuses`. */
  z.strictObject({ sync: z.strictObject({ ue, statuses: z.array(z.number().int()).default([304]) }) }),
  /**
   * Upload of user data (TS 23.280 10.1.4.5): the UE PUTs its active profile with If-Match of its copy; with
   * `profile_name`, the user first edits <ProfileName> in that copy.
   */
  z.strictObject({
    upload: z.strictObject({
      ue,
      expect_status: z.number().int().default(200),
      profile_name: z.string().optional(),
    }),
  }),
  /**
   * A call to an admin API of a system (CMS, GMS or IdMS), with that system's admin credential:
   * what an administrator does between steps (revoke a migration authorization, re-share ...).
   */
  z.strictObject({
    admin_request: z.strictObject({
      system: z.string().min(1),
      server: z.enum(['cms', 'gms', 'idms']),
      method: z.enum(['GET', 'PUT', 'POST', 'DELETE']),
      /** Path below the server's base URL, e.g. /admin/migrations/sip%3Acarol%40mcx-a.example.net */
      path: z.string().startsWith('/admin/'),
      body: z.unknown().optional(),
      expect_status: z.number().int().default(200),
    }),
  }),
  z.strictObject({ wait: duration }),
]);

export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  steps: z.array(stepSchema).min(1),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type Step = z.infer<typeof stepSchema>;
