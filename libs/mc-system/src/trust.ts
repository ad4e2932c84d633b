/**
 * Pre-established trust between MC systems (TS 23.280 clause 10.1.6 / 10.17.5), derived from the
 * ecosystem file's `trusts`: which IdMS accepts which other IdMS's tokens, and which CMS shares
 * migrating users with which (CSC-17).
 */
import type { Ecosystem, SystemConfig } from '@mcx/ecosystem';

/** Systems related to `s` by trust in either direction: their IdMSs know each other. */
export function relatedSystems(eco: Ecosystem, s: SystemConfig): SystemConfig[] {
  return eco.systems.filter((o) => o.id !== s.id && (s.trusts.includes(o.id) || o.trusts.includes(s.id)));
}

/** Partner systems that accept users homed in `home` (they trust it): the partner entries of its users' profiles. */
export function partnersAccepting(eco: Ecosystem, home: SystemConfig): SystemConfig[] {
  return eco.systems.filter((o) => o.id !== home.id && o.trusts.includes(home.id));
}
