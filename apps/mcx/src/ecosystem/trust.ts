/**
 * Pre-established trust between MC systems (TS 23.280 clause 10.1.6 / 10.17.5), derived from the
 * ecosystem file's `trusts`: which IdMS accepts which other IdMS's tokens, the credentials one IdMS
 * uses to introspect tokens at another (RFC 7662), and which CMS shares migrating users with which.
 */
import { createHmac } from 'node:crypto';
import type { Ecosystem, SystemConfig } from '@mcx/ecosystem';

/** Systems related to `s` by trust in either direction: their IdMSs know each other. */
export function relatedSystems(eco: Ecosystem, s: SystemConfig): SystemConfig[] {
  return eco.systems.filter((o) => o.id !== s.id && (s.trusts.includes(o.id) || o.trusts.includes(s.id)));
}

/** Partner systems that accept users homed in `home` (they trust it): the partner entries of its users' profiles. */
export function partnersAccepting(eco: Ecosystem, home: SystemConfig): SystemConfig[] {
  return eco.systems.filter((o) => o.id !== home.id && o.trusts.includes(home.id));
}

/** The OIDC client id of system `from`'s IdMS at another IdMS (for introspection). */
export function idmsClientId(from: string): string {
  return `idms-${from}`;
}

/** The secret `from`'s IdMS presents at `at`'s IdMS; both sides derive it from their admin tokens. */
export function introspectionSecret(from: SystemConfig, at: SystemConfig): string {
  return createHmac('sha256', `${from.adminToken}\u0000${at.adminToken}`)
    .update(`introspection:${from.id}->${at.id}`)
    .digest('base64url');
}
