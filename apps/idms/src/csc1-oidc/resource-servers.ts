import { ALL_MC_SCOPES, LEGACY_SCOPE_ALIASES, RESOURCE_SERVER_SCOPES, type ResourceServerKind } from '@mcx/auth';
import type { IdmsConfig } from '../config/config.ts';
import { mcServicesResource } from '../config/config.ts';

/**
 * The resource servers this IdMS mints access tokens for (RFC 8707 resource indicators):
 * the CMS, GMS and MCS of the same MC system, "all MC services" (one token with all three
 * audiences, for MCX clients that send no `resource`), and each partner IdMS (the migration
 * token, TS 24.484 clause 4.2.2.1.2). The token for a partner IdMS is obtained by token exchange
 * (TS 33.180 annex B.7, apps/idms/src/token-exchange); a refresh with `resource=<partner issuer>`
 * still mints the same token, kept as an accepted legacy path.
 */
export interface ResourceServerDescription {
  identifier: string;
  kind: ResourceServerKind | 'mc-services' | 'partner-idms';
  /** JWT `aud` value(s). */
  audience: string[];
  /** Scopes this resource server understands (current + legacy names). */
  scopes: string[];
  ttl: number;
  partnerSystemId?: string;
}

function withLegacy(scopes: readonly string[]): string[] {
  const legacy = Object.entries(LEGACY_SCOPE_ALIASES)
    .filter(([, current]) => scopes.includes(current))
    .map(([name]) => name);
  return [...scopes, ...legacy];
}

export function describeResourceServers(config: IdmsConfig): Map<string, ResourceServerDescription> {
  const map = new Map<string, ResourceServerDescription>();
  for (const kind of ['cms', 'gms', 'mcs'] as const) {
    const id = config.audiences[kind];
    map.set(id, { identifier: id, kind, audience: [id], scopes: withLegacy(RESOURCE_SERVER_SCOPES[kind]), ttl: config.accessTokenTtl });
  }
  const all = mcServicesResource(config);
  map.set(all, {
    identifier: all,
    kind: 'mc-services',
    audience: [config.audiences.cms, config.audiences.gms, config.audiences.mcs],
    scopes: [...ALL_MC_SCOPES],
    ttl: config.accessTokenTtl,
  });
  for (const partner of config.partners) {
    map.set(partner.issuer, {
      identifier: partner.issuer,
      kind: 'partner-idms',
      audience: [partner.issuer],
      scopes: [...ALL_MC_SCOPES],
      ttl: config.migrationTokenTtl,
      partnerSystemId: partner.systemId,
    });
  }
  return map;
}
