import Provider, { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC, type ClientMetadata } from 'oidc-provider';
import type { JWK } from 'jose';
import type { PrismaClient } from '@mcx/db';
import { MC_ID_CLAIMS, RESOURCE_SERVER_SCOPES } from '@mcx/auth';
import type { IdmsConfig } from '../config/config.ts';
import { mcServicesResource } from '../config/config.ts';
import { findAccountById, type Accounts, type McAccount } from '../accounts/accounts.ts';
import { oidcAdapterFactory } from '../storage/oidc-adapter.ts';
import type { OidcPayloadStore, PayloadRow } from '../storage/payload-store.ts';
import { describeResourceServers, type ResourceServerDescription } from './resource-servers.ts';
import { loadEntitledGrant } from './entitled-grant.ts';
import { exchangeClaims } from '../token-exchange/index.ts';
import { bypassOidcRequestContext } from './request-context.ts';

export interface ProviderDeps {
  config: IdmsConfig;
  issuer: string;
  prisma: PrismaClient;
  /** oidc-provider's storage, in memory and written through. */
  store: OidcPayloadStore;
  accounts: Accounts;
  /** Called with the rows removed with a revoked grant (refresh token revoked, logout). */
  grantRevoked?: (rows: PayloadRow[]) => Promise<void>;
  /** Active private signing key(s) for oidc-provider. */
  signingJwks: JWK[];
  cookieKeys: string[];
  /** Called while a JWT access token is built (token exchange records, migration tokens). */
  onJwtAccessToken?: (token: { jti: string; grantId: string | undefined; exp: number; resource: ResourceServerDescription }) => Promise<void>;
}

/** MC service IDs of an account for the services it is entitled to (TS 33.180 annex B.1 "service IDs"). */
export function mcIdClaims(account: McAccount): Partial<Record<(typeof MC_ID_CLAIMS)[number], string>> {
  const claims: Partial<Record<(typeof MC_ID_CLAIMS)[number], string>> = {};
  if (account.mcpttId && account.entitlements.has('mcptt')) claims.mcptt_id = account.mcpttId;
  if (account.mcvideoId && account.entitlements.has('mcvideo')) claims.mcvideo_id = account.mcvideoId;
  if (account.mcdataId && account.entitlements.has('mcdata')) claims.mcdata_id = account.mcdataId;
  return claims;
}

function toClientMetadata(c: IdmsConfig['clients'][number]): ClientMetadata {
  const confidential = c.client_secret !== undefined;
  return {
    client_id: c.client_id,
    ...(confidential ? { client_secret: c.client_secret } : {}),
    redirect_uris: c.redirect_uris,
    application_type: c.application_type,
    token_endpoint_auth_method: c.token_endpoint_auth_method ?? (confidential ? 'client_secret_basic' : 'none'),
    grant_types: c.grant_types ?? (c.redirect_uris.length ? ['authorization_code', 'refresh_token', TOKEN_EXCHANGE] : []),
    response_types: (c.response_types ?? (c.redirect_uris.length ? ['code'] : [])) as ClientMetadata['response_types'],
  };
}

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The OpenID Connect scopes this IdMS grants: `openid` (ID token, MC service IDs) and `offline_access` (refresh token). */
const OIDC_SCOPES = ['openid', 'offline_access'];

/**
 * `scopes_supported` of the discovery document (RFC 8414 clause 2): the OpenID Connect scopes
 * and the MC scopes a resource server of this system is granted (TS 33.180 annex B.3; current
 * names, the legacy Rel-13 aliases are accepted but not advertised; no key management scope,
 * as there is no key management server).
 */
export const SCOPES_SUPPORTED: readonly string[] = [...OIDC_SCOPES, ...new Set(Object.values(RESOURCE_SERVER_SCOPES).flat())];

/**
 * CSC-1 (TS 24.482 / TS 33.180 annex B "MCX Connect"): the OpenID Connect provider
 * configuration. Authorization code + PKCE S256 (RFC 7636) for public native clients,
 * JWT access tokens (RFC 9068) per resource server (RFC 8707), refresh, revocation
 * (RFC 7009), introspection (RFC 7662), MC scopes granted by entitlement.
 */
export function createProvider(deps: ProviderDeps): Provider {
  const { config, prisma } = deps;
  const resourceServers = describeResourceServers(config);
  const allServices = mcServicesResource(config);
  const Adapter = oidcAdapterFactory(deps.store, deps.grantRevoked ? { grantRevoked: deps.grantRevoked } : {});

  const policy = interactionPolicy.base();

  async function loadAccount(ctx: KoaContextWithOIDC | undefined, id: string): Promise<McAccount | undefined> {
    const cached = ctx?.oidc?.account as { accountId: string; mc?: McAccount } | undefined;
    if (cached?.accountId === id && cached.mc) return cached.mc;
    return findAccountById({ prisma, accounts: deps.accounts }, id);
  }

  const configuration: Configuration = {
    adapter: Adapter,
    clients: config.clients.map(toClientMetadata),
    jwks: { keys: deps.signingJwks as NonNullable<Configuration['jwks']>['keys'] },
    cookies: { keys: deps.cookieKeys },
    scopes: OIDC_SCOPES,
    // TS 33.180 annex B.1: mcptt_id (and the other service IDs) in the ID token.
    claims: { openid: ['sub', ...MC_ID_CLAIMS] },
    // TS 33.180 annex B: an MC client uses the authorization code flow with PKCE only, so neither
    // the implicit grant nor an `id_token` response type is offered (nor advertised).
    responseTypes: ['code'],
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    clientDefaults: { id_token_signed_response_alg: config.signingAlg, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] },
    enabledJWA: { idTokenSigningAlgValues: [config.signingAlg], userinfoSigningAlgValues: [config.signingAlg] },
    features: {
      devInteractions: { enabled: false },
      // RFC 7009 clause 2.1: a client revokes only its own tokens.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      // RFC 7662 clause 2.1: confidential clients (partner IdMSs, resource servers) or the token's own client.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Authorization request without `resource`: every resource server of this system (and the
        // partner IdMSs, for migration) is granted, so the refresh token can later mint a token
        // for each. Token request without `resource`: the "all MC services" token (aud = CMS, GMS,
        // MCS), what an MCX client unaware of RFC 8707 expects.
        defaultResource: async (_ctx, _client, oneOf) => (oneOf ? (oneOf.includes(allServices) ? allServices : oneOf[0]!) : [...resourceServers.keys()]),
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          const rs = resourceServers.get(indicator);
          if (!rs) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
          return {
            scope: rs.scopes.join(' '),
            audience: rs.audience[0]!,
            accessTokenTTL: rs.ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: config.signingAlg } },
          };
        },
      },
    },
    findAccount: async (ctx, sub) => {
      const account = await loadAccount(ctx, sub);
      if (!account) return undefined;
      return {
        accountId: account.id,
        mc: account,
        claims: async () => ({ sub: account.id, ...mcIdClaims(account) }),
      };
    },
    loadExistingGrant: (ctx) => loadEntitledGrant(ctx),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: false,
    // RFC 9068 clause 2.2: the MC IDs ride in the access token for the resource servers.
    extraTokenClaims: async (ctx, token) => {
      const exchanged = exchangeClaims.get(token);
      if (exchanged) return exchanged;
      const accountId = (token as { accountId?: string }).accountId;
      if (!accountId) return undefined;
      const account = await loadAccount(ctx, accountId);
      return account ? mcIdClaims(account) : undefined;
    },
    formats: {
      customizers: {
        jwt: async (_ctx, token, jwt) => {
          const resource = token.resourceServer?.identifier();
          const rs = resource ? resourceServers.get(resource) : undefined;
          if (rs && rs.audience.length > 1) jwt.payload.aud = rs.audience;
          if (rs && deps.onJwtAccessToken && 'grantId' in token) {
            await deps.onJwtAccessToken({ jti: String(jwt.payload.jti), grantId: token.grantId, exp: Number(jwt.payload.exp), resource: rs });
          }
        },
      },
    },
    ttl: {
      Session: config.sessionTtl,
      Interaction: 600,
      Grant: config.refreshTokenTtl,
      AuthorizationCode: 60,
      IdToken: config.idTokenTtl,
      RefreshToken: config.refreshTokenTtl,
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? config.accessTokenTtl,
      ClientCredentials: config.accessTokenTtl,
    },
    interactions: { policy, url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html><head><title>IdMS error</title></head><body><h1>${escapeHtml(out.error)}</h1><p>${escapeHtml(out.error_description ?? '')}</p></body></html>`;
    },
  };
  bypassOidcRequestContext(configuration.features);
  const provider = new Provider(deps.issuer, configuration);
  provider.proxy = true;
  provider.use(unauthorizedClientForDisallowedGrant);
  provider.use(advertiseGrantedScopes);
  return provider;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/**
 * The discovery document lists the scopes actually granted ({@link SCOPES_SUPPORTED}):
 * oidc-provider lists only its OpenID Connect scopes, and resource server scopes must not be
 * configured as such (they would be granted as OpenID Connect scopes, past the entitlement check).
 */
async function advertiseGrantedScopes(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  const body = ctx.body as { scopes_supported?: string[] } | undefined;
  if (ctx.oidc?.route === 'discovery' && body && typeof body === 'object') body.scopes_supported = [...SCOPES_SUPPORTED];
}

/**
 * RFC 6749 clause 5.2: a client using a grant type it is not registered for gets
 * `unauthorized_client` (oidc-provider answers `invalid_request`).
 */
async function unauthorizedClientForDisallowedGrant(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  const body = ctx.body as { error?: string; error_description?: string } | undefined;
  if (ctx.status === 400 && body?.error === 'invalid_request' && body.error_description === 'requested grant type is not allowed for this client') {
    body.error = 'unauthorized_client';
  }
}
