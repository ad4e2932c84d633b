/**
 * Who may read and write which MCX configuration document (RFC 4825 clause 5.7 authorization
 * policy per application usage; TS 24.484 clause 6.2.4). One policy for HTTP (CSC-4 XCAP) and
 * for the subscription proxy (TS 24.484 clause 6.3.13.2.2: the CMS authorizes every subscribed
 * URI with the access token).
 *
 * | AUID | tree | read | write over XCAP |
 * |---|---|---|---|
 * | ue-init-config | global master, users/<ue-id>/<ue-id> | anyone, also without a token (TS 24.484 clause 7.2.1: served before login) | nobody (admin API) |
 * | ue-config | users/<MCPTT ID>/ue-config.xml | that user | nobody (admin API) |
 * | user-profile | users/<MCPTT ID>/mcptt-user-profile-<i>.xml | that user | that user, existing profiles only, identity/partner list/authorisations unchanged |
 * | service-config | global/service-config.xml | any authenticated user of this system | nobody (admin API) |
 */
import { AUID } from '@mcx/documents';
import type { DocumentSelector, Principal } from '@mcx/xcap';

export type Operation = 'read' | 'write';

/** Documents anyone may read without an access token (the UE initial configuration, pre-login). */
export function isAnonymousReadable(d: Pick<DocumentSelector, 'auid'>): boolean {
  return d.auid === AUID.ueInitConfig;
}

/** RFC 4825 clause 5.7 policy of the CMS. `principal.id` is the MCPTT ID from the access token. */
export function mayAccess(principal: Principal | undefined, d: DocumentSelector, op: Operation): boolean {
  switch (d.auid) {
    case AUID.ueInitConfig:
      return op === 'read';
    case AUID.serviceConfig:
      return op === 'read' && principal !== undefined && d.tree === 'global';
    case AUID.ueConfig:
      return op === 'read' && principal !== undefined && d.tree === 'users' && d.xui === principal.id;
    case AUID.userProfile:
      return principal !== undefined && d.tree === 'users' && d.xui === principal.id;
    default:
      return false;
  }
}
