import { z } from 'zod';

/**
 * IdMS configuration: one schema, every default here (it is also the documentation).
 * The same app runs once per MC system with a different configuration.
 */
const url = z.string().url();

/** A pre-registered client (TS 33.180 annex B.2: client_id and redirect URIs registered beforehand). */
export const clientSchema = z.object({
  client_id: z.string().min(1),
  /** Absent for a public native client (the UE); present for a confidential one (a partner IdMS introspecting). */
  client_secret: z.string().min(8).optional(),
  redirect_uris: z.array(z.string()).default([]),
  grant_types: z.array(z.string()).optional(),
  response_types: z.array(z.string()).optional(),
  token_endpoint_auth_method: z.enum(['none', 'client_secret_basic', 'client_secret_post']).optional(),
  application_type: z.enum(['native', 'web']).default('native'),
});
export type ClientConfig = z.infer<typeof clientSchema>;

/**
 * A partner MC system (TS 23.280 clause 10.1.6): its IdMS is trusted as the issuer of the
 * "security token obtained from the identity management server in the primary MC system" that
 * users migrating here present (TS 24.484 clause 4.2.2.1.2), and its issuer is the audience of
 * the migration tokens this IdMS mints for its own users going there.
 */
export const partnerSchema = z.object({
  systemId: z.string().min(1),
  issuer: url,
  /** Default: `jwks_uri` of the partner's discovery document. */
  jwksUri: url.optional(),
  /**
   * Credentials of this IdMS at the partner's introspection endpoint (RFC 7662), for an operator
   * or a tool that checks a token there. The token exchange no longer introspects: the partner
   * pushes the revocations of its tokens here (revocationPushUri, src/revocation-push/).
   */
  introspection: z.object({ clientId: z.string(), clientSecret: z.string() }).optional(),
  /**
   * Where this IdMS pushes the revocations of the migration tokens it minted for the partner
   * (RFC 8935 push delivery of RFC 8417 SETs). Default `<issuer>/secevents` (our choice).
   */
  revocationPushUri: url.optional(),
});
export type PartnerConfig = z.infer<typeof partnerSchema>;

export const idmsConfigSchema = z.object({
  /** MC system identity (e.g. "mcx-a"). */
  systemId: z.string().min(1),
  /**
   * Issuer identifier (OpenID Connect Discovery 1.0 clause 4). Default: https://<host>:<actual port>
   * with `tls` (TS 33.180 annex B: the IdMS is reached over TLS), http://<host>:<actual port> without.
   */
  issuer: url.optional(),
  host: z.string().default('127.0.0.1'),
  /**
   * TLS credentials (PEM key and certificate chain) of the HTTP endpoint: https when given (the
   * composition gives the lab CA's, libs/lab-ca), plain HTTP without (ecosystem file `tls: false`).
   */
  tls: z.object({ key: z.string().min(1), cert: z.string().min(1) }).optional(),
  /** 0 = any free port (the issuer then follows the port chosen). */
  port: z.number().int().min(0).max(65535).default(0),
  /** Name of this server in the shared database ("server" column). */
  serverName: z.string().default('idms'),
  clients: z.array(clientSchema).default([]),
  /** Identifiers of the resource servers: the `aud` of their access tokens (RFC 8707 resource). */
  audiences: z.object({ cms: z.string(), gms: z.string(), mcs: z.string() }),
  partners: z.array(partnerSchema).default([]),
  /**
   * The MCPTT IDs this (partner) system assigns users migrating here (TS 23.280 clause 10.16.5;
   * libs/auth migrated-id.ts): `domain` of the default rule `sip:<user>.<home>@<domain>` and the
   * explicit assignments of the ecosystem file. Absent: a migrated user keeps its primary ID.
   */
  migratedIds: z
    .object({
      domain: z.string().min(1),
      assigned: z.array(z.object({ homeSystemId: z.string().min(1), mcpttId: z.string().min(1), assignedMcpttId: z.string().min(1) })).default([]),
    })
    .optional(),
  /** Seconds. */
  accessTokenTtl: z.number().int().positive().default(600),
  /** Seconds; the migration token (audience = a partner IdMS) is short-lived. */
  migrationTokenTtl: z.number().int().positive().default(120),
  idTokenTtl: z.number().int().positive().default(600),
  refreshTokenTtl: z.number().int().positive().default(14 * 24 * 3600),
  sessionTtl: z.number().int().positive().default(24 * 3600),
  /** JWS algorithm of the signing key generated on first start (TS 33.180 B.2.2 examples: RS256). */
  signingAlg: z.enum(['RS256', 'PS256', 'ES256']).default('RS256'),
  /** Keys for the signed cookies of the login session; default derived per process (sessions die with it). */
  cookieKeys: z.array(z.string().min(16)).optional(),
  /** scrypt cost N for new password hashes (memory-hard KDF; 2^15 = 32 MiB with r=8). */
  scryptCost: z.number().int().min(1024).default(2 ** 15),
  /**
   * Bearer credential of the admin API (/admin/...), used by this system's CMS after CSC-17
   * migration sharing (docs/server-contracts.md "Admin credential"). Required: there is no
   * default credential.
   */
  adminToken: z.string().min(8),
  database: z
    .object({ url: z.string().optional(), dataDir: z.string().optional(), name: z.string().optional() })
    .default({}),
  /** pino level when startIdms creates the logger (default: $MCX_LOG, else silent). */
  logger: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional() }).default({}),
});
export type IdmsConfigInput = z.input<typeof idmsConfigSchema>;
export type IdmsConfig = z.infer<typeof idmsConfigSchema>;

export function parseIdmsConfig(input: unknown): IdmsConfig {
  return idmsConfigSchema.parse(input);
}

/** The RFC 8707 resource that stands for "all MC resource servers of this system" (aud = CMS, GMS, MCS). */
export function mcServicesResource(config: Pick<IdmsConfig, 'systemId'>): string {
  return `urn:mcx:${config.systemId}:mc-services`;
}
