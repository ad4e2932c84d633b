/**
 * CMS configuration: one zod schema, every default here (it is also the documentation).
 * The same app runs once per MC system (primary "mcx-a", partner "mcx-b") with a different
 * configuration (docs/server-contracts.md).
 */
import { z } from 'zod';

/** A partner MC system whose CMS receives CSC-17 shares from this one (TS 23.280 clause 7.5.2.17). */
export const partnerSchema = z.object({
  systemId: z.string().min(1),
  /** HTTP base URL of the partner CMS (its CSC-17 API lives at `<cmsUrl>/csc17/...`). */
  cmsUrl: z.string().url(),
  /** The partner system's admin token ("pre-established trust", server-contracts.md). */
  adminToken: z.string().min(1),
});
export type PartnerConfig = z.infer<typeof partnerSchema>;

/**
 * What the CMS does when a UE shows a profile version newer than the server's (TS 23.280
 * clause 10.1.4.3: the server may, subject to policy, trigger the UE to upload it):
 * - `request-upload`: answer 200 with the server copy and `MCX-Upload-Requested: true`;
 * - `server-wins`: answer 200 with the server copy only.
 */
export const uploadRequestPolicySchema = z.enum(['request-upload', 'server-wins']);
export type UploadRequestPolicy = z.infer<typeof uploadRequestPolicySchema>;

export const cmsConfigSchema = z.object({
  /** MC system identity, e.g. "mcx-a". */
  systemId: z.string().min(1),
  /** IMS domain of the system, e.g. "mcx-a.example.net" (PSI sip:cms@<domain>). */
  domain: z.string().min(1),
  host: z.string().default('127.0.0.1'),
  /** 0 = ephemeral. */
  httpPort: z.number().int().min(0).max(65535).default(0),
  /**
   * TLS credentials (PEM key and certificate chain) of the HTTP endpoint: https when given (the
   * composition gives the lab CA's, libs/lab-ca), plain HTTP without (ecosystem file `tls: false`).
   */
  tls: z.object({ key: z.string().min(1), cert: z.string().min(1) }).optional(),
  /** UDP and TCP listen on this same port; 0 = an ephemeral port free on both. */
  sipPort: z.number().int().min(0).max(65535).default(0),
  /** Path of the XCAP root below the HTTP base URL (RFC 4825 clause 6.1). */
  xcapRootPath: z.string().regex(/^\/[A-Za-z0-9._~/-]*[^/]$/).default('/xcap-root'),
  /** Name of this server in the database (`server` column). */
  serverName: z.string().default('cms'),
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
  database: z.object({ url: z.string().optional(), dataDir: z.string().optional(), name: z.string().optional() }).default({}),
  /** Issuer of this system's IdMS (tokens from any other issuer are refused). */
  idmsIssuer: z.string().url(),
  /** JWKS of the IdMS; default: discovery of `idmsIssuer`. */
  idmsJwksUri: z.string().url().optional(),
  /** `aud` the IdMS writes for the CMS (RFC 8707). Default: this CMS's HTTP base URL. */
  audience: z.string().min(1).optional(),
  /** Admin credential (bearer) for the admin API and the CSC-5 / CSC-17 server-to-server APIs. */
  adminToken: z.string().min(8),
  partners: z.array(partnerSchema).default([]),
  /**
   * The MCPTT IDs this (partner) system assigns users migrating here (TS 23.280 clause 10.16.5;
   * libs/auth migrated-id.ts): explicit assignments of the ecosystem file, else
   * `sip:<user>.<home>@<domain>`. Absent: a migrated user keeps its primary ID.
   */
  migratedIds: z
    .object({ assigned: z.array(z.object({ homeSystemId: z.string().min(1), mcpttId: z.string().min(1), assignedMcpttId: z.string().min(1) })).default([]) })
    .optional(),
  /** Target of the migration-authorization hook (IdMS admin API, server-contracts.md). Absent: not notified. */
  idmsAdmin: z.object({ url: z.string().url(), adminToken: z.string().min(1) }).optional(),
  uploadRequestPolicy: uploadRequestPolicySchema.default('request-upload'),
  /** Earlier versions kept per document (served as `?version=N`). */
  versionHistoryLimit: z.number().int().min(0).max(1000).default(10),
  /** Retry interval for CSC-17 shares a partner did not accept yet (ms); 0 = no background retry. */
  shareRetryMs: z.number().int().min(0).default(5000),
  /** SIP T1 etc. (RFC 3261 clause 17.1.1.1); tests may shorten them. */
  sipTimers: z.object({ t1: z.number().int().positive(), t2: z.number().int().positive(), t4: z.number().int().positive() }).partial().default({}),
  /**
   * Bounds on what one XCAP write may store (our choice; the XSDs bound neither wildcards nor
   * string lengths): a larger body gets 413, more attributes on one element or a longer
   * attribute value get 409 constraint-failure (csc4-xcap/document-limits.ts).
   */
  documentLimits: z
    .object({
      maxBodyBytes: z.number().int().positive().default(1024 * 1024),
      maxAttributesPerElement: z.number().int().positive().default(256),
      maxAttributeValueLength: z.number().int().positive().default(64 * 1024),
      /** Most elements in one document, counted before parsing (409 constraint-failure; @mcx/xml DEFAULT_XML_LIMITS). */
      maxElements: z.number().int().positive().default(20_000),
      /** Deepest element nesting, counted before parsing (@mcx/xml DEFAULT_XML_LIMITS). */
      maxDepth: z.number().int().positive().default(128),
    })
    .default({ maxBodyBytes: 1024 * 1024, maxAttributesPerElement: 256, maxAttributeValueLength: 64 * 1024, maxElements: 20_000, maxDepth: 128 }),
  /**
   * Where whole-document writes are parsed and validated (our choice, csc4-xcap/write-checker.ts):
   * bodies from `inlineBelowBytes` up in a pool of `threads` worker threads, off the event loop
   * every server of `mcx up` shares; with `maxQueue` checks waiting, further writes get 503 +
   * Retry-After.
   */
  writeChecks: z
    .object({
      threads: z.number().int().min(1).max(16).default(2),
      maxQueue: z.number().int().min(0).default(8),
      inlineBelowBytes: z.number().int().min(0).default(16 * 1024),
    })
    .default({ threads: 2, maxQueue: 8, inlineBelowBytes: 16 * 1024 }),
  /** Verified access tokens cached by their string (until expiry) so hot GETs skip the signature check. */
  tokenCacheSize: z.number().int().min(0).default(10_000),
  logger: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional() }).default({}),
});
export type CmsConfigInput = z.input<typeof cmsConfigSchema>;
export type CmsConfig = z.infer<typeof cmsConfigSchema>;

export function parseCmsConfig(input: unknown): CmsConfig {
  return cmsConfigSchema.parse(input);
}
