/**
 * MCS configuration: one zod schema, every default here (it is also the documentation).
 * The same app runs once per MC system (docs/server-contracts.md).
 */
import { z } from 'zod';

export const mcsConfigSchema = z.object({
  /** MC system identity, e.g. "mcx-a". */
  systemId: z.string().min(1),
  /** IMS domain of the system; the MCS PSI is `sip:mcptt-server@<domain>`. */
  domain: z.string().min(1),
  host: z.string().default('127.0.0.1'),
  /** UDP and TCP listen on this same port; 0 = an ephemeral port free on both. */
  sipPort: z.number().int().min(0).max(65535).default(0),
  /**
   * Host and port of the SIP front (Kamailio's dispatcher) when several MCS instances run behind
   * one (issue #17): the address UEs register at (`sipUri`) and the Contact of this instance.
   * Default: this instance's own.
   */
  sipContact: z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }).optional(),
  /** Issuer of this system's IdMS: tokens of any other issuer are refused. */
  idmsIssuer: z.string().url(),
  /** JWKS of the IdMS; default: discovery of `idmsIssuer`. */
  idmsJwksUri: z.string().url().optional(),
  /** `aud` the IdMS writes for the MCS (RFC 8707). Default `sip:mcptt-server@<domain>` (= the PSI). */
  audience: z.string().min(1).optional(),
  /**
   * The CMS of this system for CSC-5 (`GET /csc5/migrations/:mcpttId`, Bearer adminToken):
   * the migration authorizations it received from primary systems over CSC-17. Without it every
   * migration service authorization is refused.
   */
  cms: z.object({ url: z.string().url(), adminToken: z.string().min(1) }).optional(),
  /**
   * The MC service servers of the related MC systems (TS 23.280 clause 10.6.3: migration service
   * authorization goes "from the partner MC service server to the primary MC service server"):
   * as partner, this MCS asks the primary's MCS about a user homed there; as primary, it answers
   * only the MCSs listed here. `psi` is the Request-URI / From of the leg, `sipUri` where to send it.
   */
  peers: z.array(z.object({ systemId: z.string().min(1), psi: z.string().min(1), sipUri: z.string().min(1) })).default([]),
  /** How long (s) the partner waits for the primary MCS's decision before answering 503 (our choice). */
  peerTimeout: z.number().positive().default(5),
  /** Registration expiry bounds (s): the UE's Expires is capped at `maxExpires`, 423 below `minExpires`. */
  minExpires: z.number().int().min(1).default(60),
  maxExpires: z.number().int().min(1).default(3600),
  /** Retry-After (s) sent with a 503 when the CMS (CSC-5) or the IdMS keys cannot be reached. */
  retryAfter: z.number().int().min(1).default(2),
  /** SIP T1/T2/T4 (RFC 3261 clause 17.1.1.1); tests may shorten them. */
  sipTimers: z.object({ t1: z.number().int().positive(), t2: z.number().int().positive(), t4: z.number().int().positive() }).partial().default({}),
  logger: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional() }).default({}),
});
export type McsConfigInput = z.input<typeof mcsConfigSchema>;
export type McsConfig = z.infer<typeof mcsConfigSchema>;

export function parseMcsConfig(input: unknown): McsConfig {
  return mcsConfigSchema.parse(input);
}

/** The MCS PSI of a domain (docs/server-contracts.md "PSIs"). */
export function mcsPsi(domain: string): string {
  return `sip:mcptt-server@${domain}`;
}
