import {
  base64url,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  UnsecuredJWT,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWK,
  createLocalJWKSet,
} from 'jose';
import type { McAccessToken } from './access-token.ts';
import { canonicalScopes } from './scopes.ts';
import { TokenError } from './token-error.ts';

export interface TokenVerifierOptions {
  /** Expected `iss` (the IdMS issuer identifier). */
  issuer: string;
  /**
   * This resource server's identifier; the token's `aud` must contain one of them. `null`: not
   * checked here, the caller checks it (an IdMS verifying its own tokens, whatever their audience).
   */
  audience: string | readonly string[] | null;
  /**
   * JWKS location; default: `jwks_uri` from the issuer's discovery document (OpenID Discovery 1.0).
   * With `jwks`: where those very keys are published (the signatures checked here and by the
   * verifiers of this process that fetch that URI count for each other).
   */
  jwksUri?: string;
  /** A fixed key set instead of a remote one (e.g. a server verifying its own tokens). */
  jwks?: { keys: JWK[] };
  /** Scopes that must all be granted (legacy aliases count as their current name). */
  requiredScopes?: readonly string[];
  /** Seconds of clock skew tolerated on exp/nbf/iat. Default 5. */
  clockTolerance?: number;
  /** Accepted JWS algorithms. Default RS256, PS256, ES256, EdDSA. */
  algorithms?: string[];
  /**
   * Require the RFC 9068 clause 2.1 `typ: at+jwt` header. Default true; an IdMS that accepts
   * ID tokens as well turns it off.
   */
  requireAccessTokenType?: boolean;
  /** Another `typ` header required instead of `at+jwt` (e.g. `secevent+jwt`, RFC 8417 clause 2.3). */
  tokenType?: string;
  /** Claims that must be present. Default `exp`, `sub` (RFC 9068 clause 2.2). */
  requiredClaims?: string[];
  /**
   * Verified tokens kept in memory, keyed by the compact token, until they expire (our choice:
   * one signature check per token per server; RFC 9068 clause 4 leaves caching to the resource
   * server). Bounded: the oldest entry goes first. Default 10 000; 0 turns the cache off.
   */
  cacheSize?: number;
}

export interface TokenVerifier {
  /** Verifies a compact JWS access token; rejects with {@link TokenError}. */
  verify(token: string | undefined, options?: { requiredScopes?: readonly string[] }): Promise<McAccessToken>;
  /**
   * The token with this `jti` was revoked at its issuer (RFC 7009), until `expiresAt` (after which
   * it is refused as expired anyway): it leaves the cache and is refused with code `revoked`.
   */
  revoke(jti: string, expiresAt: Date): void;
  /** Whether the token with this `jti` is known to be revoked. */
  isRevoked(jti: string | undefined): boolean;
  /** How many verified tokens the cache holds. */
  readonly cached: number;
}

const DEFAULT_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/** A signature checked: the token's protected header, when the token expires (ms), and the token. */
interface CheckedSignature {
  header: JWTHeaderParameters;
  expiresAt: number;
  /** The key's own copy: every verifier of the URI keys its cache with this one string. */
  token: string;
}

/**
 * Tokens whose signature a verifier of this process checked against the keys published at a
 * JWKS URI, by that URI: the protected header of each, until the token expires. Another verifier
 * trusting the same URI (in one process: the CMS, GMS and MCS of a system all trust their IdMS's
 * keys) takes the signature as checked and only applies its own claim checks, so a token costs one
 * signature check per process rather than one per server (issue #14; our choice: the exact bytes,
 * signature included, were verified against keys published at that URI). Bounded per URI.
 */
const signaturesByJwksUri = new Map<string, Map<string, CheckedSignature>>();
const SHARED_SIGNATURES_PER_URI = 20_000;

function sharedSignatures(uri: string): Map<string, CheckedSignature> {
  let m = signaturesByJwksUri.get(uri);
  if (!m) signaturesByJwksUri.set(uri, (m = new Map()));
  return m;
}

/**
 * The token as a string of its own, for a cache key (issue #14, memory): a token cut out of a
 * request (a form body's `subject_token`, a SIP body) is, in V8, a view on that whole request, so
 * keeping it until it expires kept 5.4 MB of token-exchange and SIP bodies alive in the MC systems'
 * process near the end of `mcx bench migration --ues 1000` (heap snapshot). Prefixing a character
 * and cutting it off again makes V8 copy it (V8 issue 2869; the idiom of @mcx/sip's `detached()`).
 * One copy per token and JWKS URI: the shared signatures hold it, the verifiers' caches reuse it.
 */
function own(token: string): string {
  return (' ' + token).slice(1);
}

function rememberSignature(shared: Map<string, CheckedSignature>, token: string, header: JWTHeaderParameters, exp: number): string {
  const now = Date.now();
  if (shared.size >= SHARED_SIGNATURES_PER_URI) shared.delete(shared.keys().next().value!);
  // Insertion order is about expiry order: the oldest go once expired.
  for (let i = 0; i < 2; i += 1) {
    const [oldest, t] = shared.entries().next().value ?? [];
    if (!oldest || !t || t.expiresAt > now) break;
    shared.delete(oldest);
  }
  const kept = own(token);
  shared.set(kept, { header, expiresAt: exp * 1000, token: kept });
  return kept;
}

/**
 * jose's claim checks (iss, aud, exp/nbf with the tolerance, typ, required claims: the very
 * function jwtVerify applies after the signature) on a token whose signature is already checked:
 * its header (alg set to "none") and payload as an unsecured JWT (RFC 7519 clause 6).
 */
function checkClaims(token: string, header: JWTHeaderParameters, options: Parameters<typeof jwtVerify>[2]): JWTPayload {
  const payload = token.split('.')[1] ?? '';
  const unsecured = `${base64url.encode(JSON.stringify({ ...header, alg: 'none' }))}.${payload}.`;
  return UnsecuredJWT.decode(unsecured, options).payload;
}

/** Discovery → jwks_uri, fetched once per verifier (and retried after a failure). */
function discoveredJwks(issuer: string): () => Promise<string> {
  let pending: Promise<string> | undefined;
  return () => {
    pending ??= (async () => {
      const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const res = await fetch(url);
      if (!res.ok) throw new Error(`discovery ${url}: HTTP ${res.status}`);
      const doc = (await res.json()) as { jwks_uri?: string; issuer?: string };
      if (doc.issuer !== issuer) throw new Error(`discovery ${url}: issuer mismatch (${doc.issuer})`);
      if (!doc.jwks_uri) throw new Error(`discovery ${url}: no jwks_uri`);
      return doc.jwks_uri;
    })().catch((err: unknown) => {
      pending = undefined;
      throw err;
    });
    return pending;
  };
}

/**
 * Builds a verifier for MC access tokens (RFC 9068 JWT profile; TS 33.180 annex B.2.2 signed
 * JWT): signature against the issuer's JWKS (cached, refetched on an unknown `kid`), `iss`,
 * `aud`, `exp`/`nbf`, `typ`, then the required scopes. A verified token is kept until it expires
 * (`cacheSize`), so each token costs one signature check per server; revocations learned from
 * the issuer (`revoke`) are refused from then on.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const audience = options.audience === null ? undefined : typeof options.audience === 'string' ? [options.audience] : [...options.audience];
  const typ = options.tokenType ?? (options.requireAccessTokenType === false ? undefined : 'at+jwt');
  const jwksUri = options.jwksUri ? async () => options.jwksUri as string : discoveredJwks(options.issuer);
  const clockToleranceMs = (options.clockTolerance ?? 5) * 1000;
  const cacheSize = options.cacheSize ?? 10_000;
  const defaultRequired = [...canonicalScopes(options.requiredScopes ?? [])];
  /** Verified tokens by compact string (insertion order = age). */
  const cache = new Map<string, McAccessToken>();
  /** Revoked `jti`s and until when (ms) they matter. */
  const revoked = new Map<string, number>();

  // One key set per verifier, created once even when many first requests arrive together (each
  // remote key set fetches the JWKS on its own: N concurrent first calls were N fetches).
  // A remote key set comes with the signatures checked in this process against its URI.
  type Keys = { getKey: JWTVerifyGetKey; shared?: ReturnType<typeof sharedSignatures> };
  let keySet: Promise<Keys> | undefined = options.jwks
    ? Promise.resolve({ getKey: createLocalJWKSet(options.jwks), ...(options.jwksUri ? { shared: sharedSignatures(new URL(options.jwksUri).href) } : {}) })
    : undefined;
  function keys(): Promise<Keys> {
    keySet ??= (async () => {
      let uri: string;
      try {
        uri = await jwksUri();
      } catch (err) {
        throw new TokenError('jwks-unavailable', `cannot locate the issuer's keys: ${(err as Error).message}`);
      }
      const url = new URL(uri);
      return { getKey: createRemoteJWKSet(url, { cooldownDuration: 10_000, cacheMaxAge: 10 * 60_000 }), shared: sharedSignatures(url.href) };
    })();
    keySet.catch(() => (keySet = undefined));
    return keySet;
  }
  const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
  const claimOptions = {
    issuer: options.issuer,
    ...(audience ? { audience } : {}),
    clockTolerance: options.clockTolerance ?? 5,
    ...(typ ? { typ } : {}),
    requiredClaims: options.requiredClaims ?? ['exp', 'sub'],
  };

  function isRevoked(jti: string | undefined): boolean {
    if (jti === undefined) return false;
    const until = revoked.get(jti);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    revoked.delete(jti);
    return false;
  }

  /** The cached verification of `token` while it is unexpired (with the clock tolerance jose applies). */
  function cached(token: string): McAccessToken | undefined {
    const hit = cache.get(token);
    if (!hit) return undefined;
    if (hit.expiresAt.getTime() + clockToleranceMs <= Date.now()) {
      cache.delete(token);
      throw new TokenError('expired', 'token expired');
    }
    return hit;
  }

  async function verifySignedToken(token: string): Promise<McAccessToken> {
    const { getKey, shared } = await keys();
    let payload: JWTPayload;
    /** The string the cache below keeps: the shared copy when there is one. */
    let kept: string | undefined;
    try {
      const checked = shared?.get(token);
      if (checked && checked.expiresAt + clockToleranceMs > Date.now()) {
        if (!algorithms.includes(checked.header.alg)) throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
        payload = checkClaims(token, checked.header, claimOptions);
        kept = checked.token;
      } else {
        let protectedHeader: JWTHeaderParameters;
        ({ payload, protectedHeader } = await jwtVerify(token, getKey, { ...claimOptions, algorithms }));
        if (shared && payload.exp !== undefined) kept = rememberSignature(shared, token, protectedHeader, payload.exp);
      }
    } catch (err) {
      throw toTokenError(err);
    }
    const verified = toMcAccessToken(payload);
    if (cacheSize > 0 && payload.exp !== undefined) {
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value!);
      // The oldest entries go once expired (insertion order is about expiry order), so the cache
      // holds about the live tokens rather than filling up with dead ones.
      const now = Date.now();
      for (let i = 0; i < 2; i += 1) {
        const [oldest, t] = cache.entries().next().value ?? [];
        if (!oldest || !t || t.expiresAt.getTime() + clockToleranceMs > now) break;
        cache.delete(oldest);
      }
      cache.set(kept ?? own(token), verified);
    }
    return verified;
  }

  return {
    async verify(token, call) {
      if (!token) throw new TokenError('missing', 'no access token');
      const verified = cached(token) ?? (await verifySignedToken(token));
      if (isRevoked(verified.jti)) {
        cache.delete(token);
        throw new TokenError('revoked', 'token revoked');
      }
      const required = call?.requiredScopes ?? options.requiredScopes ?? [];
      const canonical = call?.requiredScopes ? [...canonicalScopes(required)] : defaultRequired;
      const missing = canonical.filter((s) => !verified.scopes.has(s));
      if (missing.length) {
        throw new TokenError('insufficient-scope', `scope not granted: ${missing.join(' ')}`, required);
      }
      return verified;
    },
    revoke(jti, expiresAt) {
      const until = expiresAt.getTime() + clockToleranceMs;
      if (until <= Date.now()) return;
      revoked.set(jti, Math.max(until, revoked.get(jti) ?? 0));
      // Revocations are rare; forget those whose tokens have expired whenever one is added.
      if (revoked.size > 1000) for (const [id, t] of revoked) if (t <= Date.now()) revoked.delete(id);
    },
    isRevoked,
    get cached() {
      return cache.size;
    },
  };
}

function toTokenError(err: unknown): TokenError {
  if (err instanceof TokenError) return err;
  if (err instanceof errors.JWTExpired) return new TokenError('expired', 'token expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return new TokenError('wrong-issuer', 'unexpected issuer');
      case 'aud':
        return new TokenError('wrong-audience', 'token not issued for this resource server');
      case 'nbf':
      case 'iat':
        return new TokenError('not-yet-valid', `${err.claim} in the future`);
      case 'typ':
        return new TokenError('wrong-type', 'not an access token (RFC 9068 typ at+jwt)');
      default:
        return new TokenError('malformed', `claim ${err.claim}: ${err.reason}`);
    }
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return new TokenError('bad-signature', 'signature verification failed');
  if (err instanceof errors.JWKSNoMatchingKey) return new TokenError('unknown-key', 'no key of the issuer matches the token');
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
    return new TokenError('jwks-unavailable', 'issuer key set unavailable');
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return new TokenError('bad-signature', 'algorithm not allowed');
  if (err instanceof errors.JOSEError) return new TokenError('malformed', err.message);
  if (err instanceof TypeError || (err as { code?: string })?.code === 'ECONNREFUSED') {
    return new TokenError('jwks-unavailable', `issuer key set unavailable: ${(err as Error).message}`);
  }
  return new TokenError('malformed', (err as Error)?.message ?? 'invalid token');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Maps verified claims to the typed view (RFC 9068 clause 2.2 + MC service IDs). */
export function toMcAccessToken(payload: JWTPayload): McAccessToken {
  const rawScope = str(payload['scope']) ?? '';
  return {
    issuer: payload.iss ?? '',
    subject: payload.sub ?? '',
    audience: typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []),
    clientId: str(payload['client_id']),
    scopes: canonicalScopes(rawScope),
    rawScope,
    mcpttId: str(payload['mcptt_id']),
    mcvideoId: str(payload['mcvideo_id']),
    mcdataId: str(payload['mcdata_id']),
    jti: payload.jti,
    issuedAt: payload.iat === undefined ? undefined : new Date(payload.iat * 1000),
    expiresAt: new Date((payload.exp ?? 0) * 1000),
    claims: payload as McAccessToken['claims'],
  };
}
