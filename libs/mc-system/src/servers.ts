/**
 * The servers of an MC system as the composition sees them. The composition does not import the
 * apps (libs never depend on apps): whoever composes passes the start functions of the servers it
 * wants (`mcx up` all four; a CMS test the IdMS and the CMS), and TypeScript checks at that call that
 * each start function accepts the wiring below. What each handle must offer is only what wiring,
 * seeding and CSC-17 sharing use.
 */
import type { Database } from '@mcx/db';
import type { TlsCredentials } from '@mcx/lab-ca';
import type { Audiences } from './token-contract.ts';
import type { AccountSeed, CmsSeedFromEcosystem, GmsSeedFromEcosystem } from './seeds.ts';

export interface SipTimers {
  t1?: number;
  t2?: number;
  t4?: number;
}

/** What the composition gives every server besides its configuration. */
export interface ServerDeps {
  /** The server's own database (the IdMS, CMS and GMS; the MCS keeps soft state only and gets none). */
  db: Database;
}

export interface IdmsWiring {
  systemId: string;
  host: string;
  port: number;
  audiences: Audiences;
  adminToken: string;
  clients: { client_id: string; redirect_uris?: string[]; client_secret?: string; application_type?: 'web' | 'native' }[];
  partners: { systemId: string; issuer: string; introspection: { clientId: string; clientSecret: string } }[];
  /** The MCPTT IDs this system assigns users migrating here (TS 23.280 clause 10.16.5): default-rule domain + explicit ones. */
  migratedIds?: { domain: string; assigned: AssignedMcpttId[] };
  scryptCost?: number;
  /** The lab CA's credentials for the system's host: https (absent with `tls: false`). */
  tls?: TlsCredentials;
}

export interface CmsWiring {
  systemId: string;
  domain: string;
  host: string;
  httpPort: number;
  sipPort: number;
  idmsIssuer: string;
  audience: string;
  adminToken: string;
  partners: { systemId: string; cmsUrl: string; adminToken: string }[];
  idmsAdmin: { url: string; adminToken: string };
  /** As the IdMS's: the documents of a migrated user are stored under the ID assigned here. */
  migratedIds?: { assigned: AssignedMcpttId[] };
  sipTimers?: SipTimers;
  tls?: TlsCredentials;
}

export interface GmsWiring {
  systemId: string;
  domain: string;
  host: string;
  httpPort: number;
  sipPort: number;
  idmsIssuer: string;
  audience: string;
  adminToken: string;
  sipTimers?: SipTimers;
  tls?: TlsCredentials;
}

type AssignedMcpttId = { homeSystemId: string; mcpttId: string; assignedMcpttId: string };

export interface McsWiring {
  systemId: string;
  domain: string;
  host: string;
  sipPort: number;
  idmsIssuer: string;
  audience: string;
  cms: { url: string; adminToken: string };
  /** The MCSs of the related systems (TS 23.280 clause 10.6.3: the partner MCS asks the primary MCS). */
  peers: { systemId: string; psi: string; sipUri: string }[];
  sipTimers?: SipTimers;
}

export interface IdmsLike {
  url: string;
  issuer: string;
  seed(input: { accounts: AccountSeed[] }): Promise<unknown>;
  close(): Promise<void>;
}

export interface CmsLike {
  httpUrl: string;
  xcapRoot: string;
  psi: string;
  sipUri: string;
  sipTcpUri: string;
  seed(input: CmsSeedFromEcosystem): Promise<unknown>;
  shareMigrations(): Promise<unknown>;
  close(): Promise<void>;
}

export interface GmsLike {
  xcapRoot: string;
  psi: string;
  sipUri: string;
  sipTcpUri: string;
  seed(input: GmsSeedFromEcosystem): Promise<unknown>;
  close(): Promise<void>;
}

export interface McsLike {
  psi: string;
  sipUri: string;
  sipTcpUri: string;
  close(): Promise<void>;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the second parameter is each app's own deps type */
export type ServerFactory<W, H> = (wiring: W, deps: ServerDeps & any) => Promise<H>;
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The start functions of the servers to run; the IdMS is always there (every other server trusts it). */
export interface ServerFactories {
  idms: ServerFactory<IdmsWiring, IdmsLike>;
  cms?: ServerFactory<CmsWiring, CmsLike>;
  gms?: ServerFactory<GmsWiring, GmsLike>;
  mcs?: ServerFactory<McsWiring, McsLike>;
}

/** The handle type each factory returns. */
export type HandleOf<F> = F extends (...args: never[]) => Promise<infer H> ? H : never;
/** The configuration type each factory accepts (for typed overrides). */
export type ConfigOf<F> = F extends (config: infer C, ...rest: never[]) => unknown ? C : never;
/** The deps type each factory accepts (for typed extra deps, e.g. a test hook). */
export type DepsOf<F> = F extends (config: never, deps: infer D) => unknown ? D : never;
