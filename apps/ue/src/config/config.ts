/**
 * UE host configuration: one zod schema, every default here (it is also the documentation).
 * The host knows, per MC system, only its CMS XCAP root (where a UE of that home system fetches
 * its UE initial configuration, TS 24.484 clause 7.2.1); everything else comes from the
 * documents. `endpoints` are the lab's "IMS core" knowledge: PSI → transport address for SIP
 * routing (a real UE sends everything to its P-CSCF) and lane names for the message tap.
 */
import { z } from 'zod';

const sipEndpoint = z.object({ sip: z.string().optional(), sipTcp: z.string().optional(), psi: z.string().optional() });

export const systemSchema = z.object({
  /** MC system id, e.g. "mcx-a". */
  id: z.string().min(1),
  /** CMS XCAP root of this system, e.g. http://127.0.0.1:7102/xcap-root. */
  cmsXcapRoot: z.string().url(),
  /** Short lane suffix for the message tap ("A" → "CMS-A"); default: last letter of the id, upper case. */
  lane: z.string().optional(),
  /** Known endpoints (shape of @mcx/ecosystem SystemEndpoints; all optional). */
  endpoints: z
    .object({
      idms: z.object({ issuer: z.string() }).partial().optional(),
      cms: sipEndpoint.extend({ xcapRoot: z.string().optional() }).optional(),
      gms: sipEndpoint.extend({ xcapRoot: z.string().optional() }).optional(),
      mcs: sipEndpoint.optional(),
    })
    .passthrough()
    .default({}),
});
export type UeHostSystem = z.infer<typeof systemSchema>;
export type UeHostSystemInput = z.input<typeof systemSchema>;

export const userSchema = z.object({ username: z.string().min(1), password: z.string().min(1), home: z.string().min(1) });
export type UeHostUser = z.infer<typeof userSchema>;

export const ueHostConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  /** Control API port; 0 = ephemeral. */
  port: z.number().int().min(0).max(65535).default(0),
  /** SIP port of the UE host's one endpoint (UDP and TCP); 0 = ephemeral. */
  sipPort: z.number().int().min(0).max(65535).default(0),
  /** Where the protected local copies live: <dataDir>/copies.log (at-rest/copy-log.ts), and the host secret. */
  dataDir: z.string().min(1),
  systems: z.array(systemSchema).min(1),
  /** Users the UEs log in as (the password can also be given per UE). */
  users: z.array(userSchema).default([]),
  /** The pre-registered public OIDC client of the UEs (TS 33.180 annex B.2). */
  ueClient: z.object({ clientId: z.string(), redirectUri: z.string() }).default({ clientId: 'mcx-ue', redirectUri: 'http://127.0.0.1/mcx-ue/callback' }),
  /**
   * User profile indexes a CMC subscribes to (TS 24.484 clause 6.3.13.2.2). Rel-13 has no
   * document listing a user's profiles, so the UE subscribes to these candidate documents and
   * the full-state NOTIFY (existing documents only) tells which exist.
   */
  profileIndexes: z.array(z.number().int().min(0).max(255)).default([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
  /**
   * Procedures (online configuration, migration, return) running at once across the host; the
   * others wait their turn (bursts of thousands of UEs would otherwise time out SIP transactions).
   */
  concurrency: z.number().int().min(1).default(64),
  /** SUBSCRIBE / REGISTER expiry (s). */
  subscriptionExpires: z.number().int().min(60).default(3600),
  /**
   * Retries of a procedure after a transient failure (ue/step-runner.ts): backoff base and cap (ms),
   * attempts after the first, and the most waiting in all (ms). Our choice: a server that is away
   * (e.g. its database restarting) for up to about 2 minutes costs no UE its procedure.
   */
  retry: z
    .object({
      baseMs: z.number().int().min(1).default(500),
      capMs: z.number().int().min(1).default(8000),
      attempts: z.number().int().min(0).default(100),
      maxWaitMs: z.number().int().min(0).default(120_000),
    })
    .default({ baseMs: 500, capMs: 8000, attempts: 100, maxWaitMs: 120_000 }),
  /** Message tap: messages kept per UE (ring buffer) and the largest body kept (bytes). 0 = no tap. */
  messageLog: z.object({ perUe: z.number().int().min(0).default(500), maxBody: z.number().int().min(0).default(16_384) }).default({ perUe: 500, maxBody: 16_384 }),
  /** Host secret for the at-rest keys (hex, 32 bytes); default: <dataDir>/ue-host.secret, created on first start. */
  secret: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /**
   * Bearer secret of the control API (every route but /healthz; docs/ue-host-api.md "Authentication");
   * default: <dataDir>/control-token, created on first start (mode 0600). `mcx up` passes the lab's.
   */
  controlToken: z.string().min(16).optional(),
  /** SIP T1/T2/T4 (RFC 3261 clause 17.1.1.1). */
  sipTimers: z.object({ t1: z.number().int().positive(), t2: z.number().int().positive(), t4: z.number().int().positive() }).partial().default({}),
  logger: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional() }).default({}),
});
export type UeHostConfig = z.infer<typeof ueHostConfigSchema>;
export type UeHostConfigInput = z.input<typeof ueHostConfigSchema>;

/** The lane suffix of a system ("mcx-a" → "A"). */
export function laneOf(s: Pick<UeHostSystem, 'id' | 'lane'>): string {
  return s.lane ?? s.id.slice(-1).toUpperCase();
}
