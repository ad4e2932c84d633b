import { z } from 'zod';

/**
 * GMS configuration: one schema, every default here (it is also the documentation). The same app
 * runs once per MC system (primary "mcx-a", partner "mcx-b") with a different configuration.
 */
export const gmsConfigSchema = z.object({
  /** MC system identity (e.g. "mcx-a"). */
  systemId: z.string().min(1),
  /** SIP/IMS domain of the system: MC group IDs are `sip:<group id>@<domain>`, the PSI `sip:gms@<domain>`. */
  domain: z.string().min(1),
  /** Bind and advertised host for HTTP and SIP. */
  host: z.string().default('127.0.0.1'),
  /** HTTP port of the XCAP root and admin API; 0 = ephemeral. */
  httpPort: z.number().int().min(0).max(65535).default(0),
  /**
   * TLS credentials (PEM key and certificate chain) of the HTTP endpoint: https when given (the
   * composition gives the lab CA's, libs/lab-ca), plain HTTP without (ecosystem file `tls: false`).
   */
  tls: z.object({ key: z.string().min(1), cert: z.string().min(1) }).optional(),
  /** SIP port of the notifier, UDP and TCP; 0 = ephemeral (UDP and TCP then get different ports). */
  sipPort: z.number().int().min(0).max(65535).default(0),
  /** `openDatabase` options when no database is passed to startGms. */
  database: z.object({ url: z.string().optional(), dataDir: z.string().optional(), name: z.string().optional() }).default({}),
  /** Value of the `server` column: the rows of this server (of every replica). */
  serverName: z.string().default('gms'),
  /**
   * Replicas (issue #17): this instance's number among several instances of this server sharing
   * one PostgreSQL database. Its subscriptions are the `Subscription` rows of server
   * `<serverName>/<replica>`; changes fan out between the instances and the subscriptions of a
   * gone instance are taken over (@mcx/db change-feed.ts, @mcx/xcap-diff-notifier
   * replica-takeover.ts). Absent: the only instance.
   */
  replica: z.number().int().min(1).optional(),
  /**
   * The HTTP base URL clients use (the HTTP front of the replicas, e.g. HAProxy): the XCAP root
   * in NOTIFYs is below it. Default: this instance's own URL.
   */
  publicUrl: z.string().url().optional(),
  /** Host and port of the SIP front (Kamailio) written into Contact (@mcx/sip `contactAddress`). Default: this instance's own. */
  sipContact: z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }).optional(),
  /** Issuer of this MC system's IdMS (access tokens are verified against its JWKS). */
  idmsIssuer: z.string().url(),
  /** JWKS location; default from the issuer's discovery document. */
  idmsJwksUri: z.string().url().optional(),
  /** `aud` the access tokens must carry (RFC 8707); default the GMS HTTP base URL `https://<host>:<port>` (`http://` without `tls`). */
  audience: z.string().optional(),
  /**
   * Admin bearer token (admin API, and full access to the XCAP root; docs/server-contracts.md
   * "Admin credential"). Required: there is no default credential.
   */
  adminToken: z.string().min(8),
  /** SUBSCRIBE expiry granted when none is asked for, and the cap (RFC 6665 clause 4.2.1.1). */
  defaultExpires: z.number().int().positive().default(3600),
  maxExpires: z.number().int().positive().default(3600),
  /**
   * SIP overload control (RFC 3261 clause 21.5.4, @mcx/sip `OverloadOptions`): new SUBSCRIBEs get
   * 503 + Retry-After while more than `maxPendingRequests` SIP requests are unanswered or the event
   * loop lags more than `maxLoopLagMs`. Our choice of bounds: 200 requests, 200 ms, Retry-After 1 s.
   */
  sipOverload: z
    .object({
      maxPendingRequests: z.number().int().positive().default(200),
      maxLoopLagMs: z.number().positive().default(200),
      retryAfter: z.number().int().min(0).default(1),
    })
    .prefault({}),
  /**
   * HTTP overload control: XCAP and admin requests get 503 + Retry-After (RFC 9110 clause 15.6.4,
   * 10.2.3) while the event loop lags more than `maxLoopLagMs`; `/healthz` is always answered.
   */
  httpOverload: z
    .object({
      maxLoopLagMs: z.number().positive().default(500),
      retryAfter: z.number().int().min(0).default(1),
    })
    .prefault({}),
  /** pino level; tests stay silent unless MCX_LOG is set. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default(process.env.MCX_LOG ? 'info' : 'silent'),
});

export type GmsConfigInput = z.input<typeof gmsConfigSchema>;
export type GmsConfig = z.infer<typeof gmsConfigSchema>;

export function parseGmsConfig(input: unknown): GmsConfig {
  return gmsConfigSchema.parse(input);
}
