/**
 * Where every server of the ecosystem listens, derived from the ecosystem file. `mcx endpoints --json`
 * prints exactly this shape; scripts and other tools rely on it.
 */
import type { Ecosystem, SystemConfig, UserConfig } from './schema.ts';

export interface SystemEndpoints {
  id: string;
  name: string;
  role: 'primary' | 'partner';
  plmns: string[];
  domain: string;
  idms: { issuer: string };
  cms: { xcapRoot: string; sip: string; sipTcp: string; psi: string };
  gms: { xcapRoot: string; sip: string; sipTcp: string; psi: string };
  mcs: { sip: string; sipTcp: string; psi: string };
  /** Admin API root (CMS); the GMS admin API is at gmsAdmin. */
  admin: string;
  gmsAdmin: string;
}

export interface EcosystemEndpoints {
  console: string;
  ueHost: string;
  systems: SystemEndpoints[];
}

const http = (host: string, port: number, path = '') => `http://${host}:${port}${path}`;
/** `https` unless the system is configured with `tls: false` (an unresolved `tls` means TLS, the default). */
export function httpSchemeOf(s: Pick<SystemConfig, 'tls'>): 'https' | 'http' {
  return s.tls === false ? 'http' : 'https';
}
/** The base URL of one of the system's HTTP endpoints, e.g. `https://127.0.0.1:7102`. */
export function systemHttpUrl(s: Pick<SystemConfig, 'tls' | 'host'>, port: number, path = ''): string {
  return `${httpSchemeOf(s)}://${s.host}:${port}${path}`;
}
const sip = (user: string, host: string, port: number, transport: 'udp' | 'tcp') => `sip:${user}@${host}:${port};transport=${transport}`;

export function systemEndpoints(s: SystemConfig): SystemEndpoints {
  return {
    id: s.id,
    name: s.name,
    role: s.role,
    plmns: s.plmns,
    domain: s.domain,
    idms: { issuer: systemHttpUrl(s, s.ports.idms) },
    cms: {
      xcapRoot: systemHttpUrl(s, s.ports.cms, '/xcap-root'),
      sip: sip('cms', s.host, s.ports.cmsSip, 'udp'),
      sipTcp: sip('cms', s.host, s.ports.cmsSip, 'tcp'),
      psi: `sip:cms@${s.domain}`,
    },
    gms: {
      xcapRoot: systemHttpUrl(s, s.ports.gms, '/xcap-root'),
      sip: sip('gms', s.host, s.ports.gmsSip, 'udp'),
      sipTcp: sip('gms', s.host, s.ports.gmsSip, 'tcp'),
      psi: `sip:gms@${s.domain}`,
    },
    mcs: {
      sip: sip('mcptt', s.host, s.ports.mcsSip, 'udp'),
      sipTcp: sip('mcptt', s.host, s.ports.mcsSip, 'tcp'),
      psi: `sip:mcptt-server@${s.domain}`,
    },
    admin: systemHttpUrl(s, s.ports.cms, '/admin'),
    gmsAdmin: systemHttpUrl(s, s.ports.gms, '/admin'),
  };
}

export function ecosystemEndpoints(eco: Ecosystem): EcosystemEndpoints {
  return {
    console: http(eco.console.host, eco.console.port),
    ueHost: http(eco.ueHost.host, eco.ueHost.port),
    systems: eco.systems.map(systemEndpoints),
  };
}

export function systemById(eco: Ecosystem, id: string): SystemConfig {
  const s = eco.systems.find((x) => x.id === id);
  if (!s) throw new Error(`unknown MC system "${id}"`);
  return s;
}

/** The MCPTT ID of a user (TS 23.280 8.1.2): configured, or sip:<username>@<home domain>. */
export function mcpttIdOf(eco: Ecosystem, user: UserConfig): string {
  return user.mcpttId ?? `sip:${user.username}@${systemById(eco, user.home).domain}`;
}

/** The address instance `k` (1..replicas) of a system's CMS, GMS and MCS listens on: its `replicaPorts` host, else the system's. */
export function instanceHost(s: Pick<SystemConfig, 'host' | 'replicaPorts'>, k: number): string {
  return s.replicaPorts?.[k - 1]?.host ?? s.host;
}
