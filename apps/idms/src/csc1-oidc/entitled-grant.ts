import type { KoaContextWithOIDC, Grant } from 'oidc-provider';
import { serviceOfScope } from '@mcx/auth';
import type { McAccount } from '../accounts/accounts.ts';

/**
 * The grant of an authorization request, built from the account's entitlements instead of a
 * consent page (MC clients are pre-registered, TS 33.180 annex B.2). An MC scope is granted only
 * to an account entitled to the service (our choice: an account that is not an MC user of that
 * service gets no MC scope); the others are recorded as rejected, so they never reach a token.
 */
export async function loadEntitledGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { oidc } = ctx;
  const account = oidc.account as (NonNullable<typeof oidc.account> & { mc?: McAccount }) | undefined;
  if (!account || !oidc.client) return undefined;
  const existingId = oidc.result?.['consent']?.grantId ?? oidc.session?.grantIdFor(oidc.client.clientId);
  let grant = existingId ? await oidc.provider.Grant.find(existingId) : undefined;
  if (!grant || grant.accountId !== account.accountId) {
    grant = new oidc.provider.Grant({ accountId: account.accountId, clientId: oidc.client.clientId });
  }
  const entitled = account.mc?.entitlements ?? new Set();

  const oidcScopes = [...oidc.requestParamOIDCScopes];
  if (oidcScopes.length) grant.addOIDCScope(oidcScopes.join(' '));
  const claims = [...oidc.requestParamClaims];
  if (claims.length) grant.addOIDCClaims(claims);

  for (const [indicator, resourceServer] of Object.entries(oidc.resourceServers ?? {})) {
    const granted: string[] = [];
    const rejected: string[] = [];
    for (const scope of oidc.requestParamScopes) {
      if (!resourceServer.scopes.has(scope)) continue;
      const service = serviceOfScope(scope);
      (service && entitled.has(service) ? granted : rejected).push(scope);
    }
    if (granted.length) grant.addResourceScope(indicator, granted.join(' '));
    if (rejected.length) grant.rejectResourceScope(indicator, rejected.join(' '));
  }
  await grant.save();
  return grant;
}
