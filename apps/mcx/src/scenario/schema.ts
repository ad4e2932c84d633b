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
const peer = z
  .string()
  .regex(PEER, 'a peer is IdMS-<X>, CMS-<X>, GMS-<X> or MCS-<X> (X: the system letter, e.g. CMS-A)');

/**
 * Expectations on messages look only at what the UE logged after a point: by default the start
 * of the previous action step (expectations and marks observe, they do not move the point), or,
 * with `after: NAME`, the `mark: NAME` step (our choice).
 */
const after = z.string().min(1).optional();
/** Which messages of the UE's log match: `to: X` = sent to X (peer X, direction out), `from: X` = received from X. */
const messageFields = {
  peer: peer.optional(),
  to: peer.optional(),
  from: peer.optional(),
  protocol: z.enum(['HTTP', 'SIP']).optional(),
  /** Text the message's summary (start line, e.g. "NOTIFY", "403") must contain. */
  summary: z.string().optional(),
  direction: z.enum(['in', 'out']).optional(),
};
const messageMatcher = z.strictObject(messageFields);
export type MessageMatcher = z.infer<typeof messageMatcher>;
/** The servers of an MC system (libs/mc-system). */
export const SERVERS = ['idms', 'cms', 'gms', 'mcs'] as const;
const server = z.enum(SERVERS);

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
      ...messageFields,
      summary: z.string(),
      after,
      within: duration.default(15_000),
    }),
  }),
  /** No matching message is logged from the point until `within` has passed (the step takes `within`). */
  z.strictObject({ expect_no_message: z.strictObject({ ue, ...messageFields, after, within: duration }) }),
  /** The matching messages were logged in this order after the point (other messages may come between). */
  z.strictObject({
    expect_order: z.strictObject({
      ue,
      messages: z.array(messageMatcher).min(2),
      after,
      within: duration.default(15_000),
    }),
  }),
  /** Names the current point for a later `after: NAME`. */
  z.strictObject({ mark: z.string().min(1) }),
  /**
   * A local copy the UE holds (the UE host's document view): the active user profile unless `kind`
   * (ue-config, user-profile, service-config, group, ...) or `selector` (text the selector contains)
   * names another; of the system the UE is configured in unless `system`. `version`: the server's
   * current version, whose ETag the copy has; `etag`: the copy's ETag; `xpath` + `value`: the
   * string value of an XPath 1.0 expression over the copy (namespace prefixes ignored: `//ProfileName`).
   */
  z.strictObject({
    expect_document: z.strictObject({
      ue,
      kind: z.string().min(1).optional(),
      selector: z.string().min(1).optional(),
      system: z.string().min(1).optional(),
      version: z.number().int().positive().optional(),
      etag: z.string().min(1).optional(),
      xpath: z.string().min(1).optional(),
      value: z.string().optional(),
      within: duration.default(15_000),
    }),
  }),
  /** Group membership in a GMS (its admin API): `member` is an MCPTT ID; `present: false` expects it absent. */
  z.strictObject({
    expect_group_member: z.strictObject({
      system: z.string().min(1),
      group: z.string().min(1),
      member: z.string().min(1),
      present: z.boolean().default(true),
      within: duration.default(15_000),
    }),
  }),
  /**
   * Fault injection: closes one server of a system (its ports stop answering) or starts it again
   * on the same port and database. Only on an ecosystem the runner started itself (in-process).
   */
  z.strictObject({ stop_server: z.strictObject({ system: z.string().min(1), server }) }),
  z.strictObject({ start_server: z.strictObject({ system: z.string().min(1), server }) }),
  /**
   * Fault injection in the UE host (a UE-side filter, not the network): for `for`, the UE's SIP
   * messages from (`in`), to (`out`) or from and to (`both`) one peer are dropped, or delayed by `delay`.
   */
  /**
   * Fault injection in the UE host: the UE's access token (of the system it is configured in)
   * counts as expired now, so it renews at once (refresh token at home, token exchange in a partner,
   * then a fresh REGISTER).
   */
  z.strictObject({ expire_token: z.strictObject({ ue }) }),
  /**
   * Fault injection: the whole ecosystem (both systems and the UE host) closes and starts again on
   * the same data directory and ports. Only on an ecosystem the runner started itself; such a
   * scenario runs alone on it (after the others). The UEs it started are gone afterwards.
   */
  z.strictObject({ restart_ecosystem: z.strictObject({}) }),
  z.strictObject({
    sip_fault: z.strictObject({
      ue,
      peer,
      action: z.enum(['drop', 'delay']),
      direction: z.enum(['in', 'out', 'both']).default('both'),
      delay: duration.optional(),
      for: duration,
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
  /**
   * Users of the ecosystem file this scenario runs on copies of (`scn-<file>-<user>`, users.ts):
   * created in the ecosystem `mcx scenario run` starts itself; against a running `mcx up` the
   * scenario runs on the users themselves.
   */
  users: z.array(z.string().regex(/^[a-z][a-z0-9._-]*$/, 'a username of the ecosystem file')).optional(),
  steps: z.array(stepSchema).min(1),
  /**
   * Steps run after the steps, whether they passed or failed (every one is tried; a failure here
   * fails the scenario). Then the runner puts back every document the scenario changed through
   * `admin_edit_profile` or `upload`, and stops the UEs it started.
   */
  cleanup: z.array(stepSchema).optional(),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type Step = z.infer<typeof stepSchema>;
