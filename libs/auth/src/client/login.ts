import * as oidc from 'openid-client';
import { CookieJar } from './cookie-jar.ts';

/** Tokens returned to an MCX client (TS 33.180 annex B.4: ID token, access token, refresh token). */
export interface McTokens {
  accessToken: string;
  idToken: string | undefined;
  refreshToken: string | undefined;
  expiresIn: number | undefined;
  scope: string | undefined;
  tokenType: string;
}

export interface LoginWithPkceOptions {
  /** IdMS issuer identifier (the UE initial configuration's IdMS URIs share its origin). */
  issuer: string;
  clientId: string;
  redirectUri: string;
  username: string;
  password: string;
  /** Space-separated scopes; default `openid offline_access` plus the MCPTT scopes. */
  scope?: string;
  /**
   * RFC 8707 resource indicators requested at the authorization endpoint. The first one (or
   * `tokenResource`) is the audience of the access token returned by the code exchange; the
   * others can be obtained later with {@link refreshForResource}.
   */
  resource?: string | string[];
  tokenResource?: string;
  /** Allow plain http issuers (loopback lab). Default: true when the issuer is http://. */
  allowInsecure?: boolean;
  /** Reuse a discovered configuration (saves one request per login). */
  configuration?: oidc.Configuration;
  /** The client's own HTTP client (e.g. one that records its messages); default the global `fetch`. */
  fetch?: typeof fetch;
}

export const DEFAULT_UE_SCOPE =
  'openid offline_access 3gpp:mc:ptt_service 3gpp:mc:ptt_config_management_service 3gpp:mc:ptt_group_management_service';

/** Discovery for a public native client (TS 33.180 annex B.2: pre-registered client, no secret). */
export async function discoverIdms(issuer: string, clientId: string, allowInsecure?: boolean, fetchFn?: typeof fetch): Promise<oidc.Configuration> {
  const insecure = allowInsecure ?? issuer.startsWith('http://');
  return oidc.discovery(new URL(issuer), clientId, { token_endpoint_auth_method: 'none' }, oidc.None(), {
    ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
    ...(fetchFn ? { [oidc.customFetch]: fetchFn as unknown as oidc.CustomFetch } : {}),
  });
}

const fetchCopies = new WeakMap<typeof fetch, WeakMap<oidc.Configuration, oidc.Configuration>>();

/**
 * A copy of a discovered configuration of the public client (no secret, TS 33.180 annex B.2)
 * whose requests go through `fetchFn`: one discovery serves many clients that each bring their
 * own HTTP client. Plain http issuers stay allowed (loopback lab), as in {@link discoverIdms}.
 */
export function withFetch(config: oidc.Configuration, fetchFn: typeof fetch | undefined): oidc.Configuration {
  if (!fetchFn) return config;
  // One copy per (configuration, HTTP client), kept while both are: a client's login, refreshes
  // and token exchanges at one IdMS reuse it instead of cloning the metadata each time (issue #14).
  let copies = fetchCopies.get(fetchFn);
  if (!copies) fetchCopies.set(fetchFn, (copies = new WeakMap()));
  let copy = copies.get(config);
  if (!copy) copies.set(config, (copy = copyWithFetch(config, fetchFn)));
  return copy;
}

function copyWithFetch(config: oidc.Configuration, fetchFn: typeof fetch): oidc.Configuration {
  const server = config.serverMetadata();
  const client = config.clientMetadata();
  const copy = new oidc.Configuration(server, client.client_id, client, oidc.None());
  // Node's fetch and the DOM lib's differ in type only (e2e compiles with the DOM lib).
  copy[oidc.customFetch] = fetchFn as unknown as oidc.CustomFetch;
  copy.timeout = config.timeout;
  if (server.issuer.startsWith('http://')) oidc.allowInsecureRequests(copy);
  return copy;
}

function toTokens(r: oidc.TokenEndpointResponse): McTokens {
  return {
    accessToken: r.access_token,
    idToken: r.id_token,
    refreshToken: r.refresh_token,
    expiresIn: r.expires_in,
    scope: r.scope,
    tokenType: r.token_type,
  };
}

export class LoginError extends Error {
  override readonly name = 'LoginError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Reads a form's action and hidden inputs from the IdMS login page. */
function parseForm(html: string, base: string): { action: URL; hidden: Record<string, string> } {
  const form = /<form\b[^>]*\baction="([^"]+)"/i.exec(html);
  if (!form?.[1]) throw new LoginError('login page has no form');
  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input\b[^>]*type="hidden"[^>]*>/gi)) {
    const name = /\bname="([^"]+)"/.exec(m[0])?.[1];
    const value = /\bvalue="([^"]*)"/.exec(m[0])?.[1];
    if (name) hidden[name] = value ?? '';
  }
  return { action: new URL(form[1].replace(/&amp;/g, '&'), base), hidden };
}

/**
 * The UE's IdM client (TS 24.482 clause 5 / TS 33.180 annex B.4): authorization code flow with
 * PKCE S256 (RFC 7636), the login form submitted like a browser would (cookies carried, redirects
 * followed by hand), the code captured from the redirect to `redirect_uri` (nothing needs to
 * listen there) and exchanged with the verifier. No back door: the same flow a person uses.
 */
export async function loginWithPkce(options: LoginWithPkceOptions): Promise<McTokens> {
  const config = options.configuration ? withFetch(options.configuration, options.fetch) : await discoverIdms(options.issuer, options.clientId, options.allowInsecure, options.fetch);
  const http = options.fetch ?? fetch;
  const verifier = oidc.randomPKCECodeVerifier();
  const challenge = await oidc.calculatePKCECodeChallenge(verifier);
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const params = new URLSearchParams({
    redirect_uri: options.redirectUri,
    scope: options.scope ?? DEFAULT_UE_SCOPE,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce,
    // TS 33.180 annex B.4.2.2 lists acr_values among the authorization request parameters.
    acr_values: '3gpp:acr:password',
  });
  const resources = options.resource === undefined ? [] : typeof options.resource === 'string' ? [options.resource] : options.resource;
  for (const r of resources) params.append('resource', r);
  const authUrl = oidc.buildAuthorizationUrl(config, params);

  const jar = new CookieJar();
  let url = authUrl;
  let init: RequestInit = { method: 'GET' };
  let callback: URL | undefined;
  for (let hop = 0; hop < 12 && !callback; hop += 1) {
    const res = await http(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.store(res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      const next = new URL(location, url);
      if (next.href.startsWith(options.redirectUri)) callback = next;
      url = next;
      init = { method: 'GET' };
      continue;
    }
    const body = await res.text();
    if (res.status !== 200 || !/<form\b/i.test(body)) {
      throw new LoginError(`login failed at ${url.pathname}: HTTP ${res.status} ${body.slice(0, 200)}`, res.status);
    }
    if (init.method === 'POST') {
      // The form came back after a POST: the credentials were refused.
      const why = /class="error"[^>]*>([^<]*)</.exec(body)?.[1] ?? 'credentials refused';
      throw new LoginError(`login refused: ${why}`, 401);
    }
    const form = parseForm(body, url.href);
    const fields = new URLSearchParams({ ...form.hidden, username: options.username, password: options.password });
    url = form.action;
    init = { method: 'POST', body: fields, headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  if (!callback) throw new LoginError('authorization did not reach the redirect_uri');
  const tokenParams: Record<string, string> = {};
  const tokenResource = options.tokenResource ?? resources[0];
  if (tokenResource) tokenParams['resource'] = tokenResource;
  const tokens = await oidc.authorizationCodeGrant(
    config,
    callback,
    { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
    tokenParams,
  );
  return toTokens(tokens);
}

/**
 * A new access token for another resource server from the refresh token (RFC 6749 clause 6 +
 * RFC 8707 `resource`): the UE holds one token per resource server (CMS, GMS, MCS, partner IdMS).
 */
export async function refreshForResource(options: {
  issuer: string;
  clientId: string;
  refreshToken: string;
  resource?: string;
  scope?: string;
  configuration?: oidc.Configuration;
  /** The client's own HTTP client; default the global `fetch`. */
  fetch?: typeof fetch;
}): Promise<McTokens> {
  const config = options.configuration ? withFetch(options.configuration, options.fetch) : await discoverIdms(options.issuer, options.clientId, undefined, options.fetch);
  const params: Record<string, string> = {};
  if (options.resource) params['resource'] = options.resource;
  if (options.scope) params['scope'] = options.scope;
  return toTokens(await oidc.refreshTokenGrant(config, options.refreshToken, params));
}

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/**
 * Migration authentication (TS 24.484 clause 4.2.2.1.2.1): present the security token
 * from the primary IdMS to the partner IdMS and obtain a partner access token. OAuth 2.0 Token
 * Exchange (RFC 8693 clause 2.1) at the partner's token endpoint.
 */
export async function exchangeToken(options: {
  partnerIssuer: string;
  clientId: string;
  subjectToken: string;
  subjectTokenType?: string;
  resource?: string;
  scope?: string;
  configuration?: oidc.Configuration;
  /** The client's own HTTP client; default the global `fetch`. */
  fetch?: typeof fetch;
}): Promise<McTokens & { issuedTokenType: string | undefined }> {
  const config = options.configuration ? withFetch(options.configuration, options.fetch) : await discoverIdms(options.partnerIssuer, options.clientId, undefined, options.fetch);
  const params: Record<string, string> = {
    subject_token: options.subjectToken,
    subject_token_type: options.subjectTokenType ?? ACCESS_TOKEN_TYPE,
    requested_token_type: ACCESS_TOKEN_TYPE,
  };
  if (options.resource) params['resource'] = options.resource;
  if (options.scope) params['scope'] = options.scope;
  const r = await oidc.genericGrantRequest(config, TOKEN_EXCHANGE_GRANT, params);
  return { ...toTokens(r), issuedTokenType: typeof r['issued_token_type'] === 'string' ? r['issued_token_type'] : undefined };
}

/**
 * The security token for a partner IdMS from the PRIMARY IdMS (TS 33.180 annex B.7): OAuth 2.0
 * Token Exchange (RFC 8693 clause 2.1) at the primary's token endpoint with the client's own
 * primary access token as subject_token and the partner IdMS issuer as `audience`. The token
 * returned (aud = the partner issuer) is what {@link exchangeToken} presents to the partner.
 */
export async function exchangeForPartnerIdms(options: {
  /** The primary IdMS. */
  issuer: string;
  clientId: string;
  /** The client's current access token from the primary IdMS. */
  subjectToken: string;
  /** Issuer of the partner IdMS the token is for. */
  partnerIssuer: string;
  scope?: string;
  configuration?: oidc.Configuration;
  /** The client's own HTTP client; default the global `fetch`. */
  fetch?: typeof fetch;
}): Promise<McTokens & { issuedTokenType: string | undefined }> {
  const config = options.configuration ? withFetch(options.configuration, options.fetch) : await discoverIdms(options.issuer, options.clientId, undefined, options.fetch);
  const params: Record<string, string> = {
    subject_token: options.subjectToken,
    subject_token_type: ACCESS_TOKEN_TYPE,
    requested_token_type: ACCESS_TOKEN_TYPE,
    audience: options.partnerIssuer,
  };
  if (options.scope) params['scope'] = options.scope;
  const r = await oidc.genericGrantRequest(config, TOKEN_EXCHANGE_GRANT, params);
  return { ...toTokens(r), issuedTokenType: typeof r['issued_token_type'] === 'string' ? r['issued_token_type'] : undefined };
}
