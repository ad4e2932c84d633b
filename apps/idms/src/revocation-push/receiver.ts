import express, { type Request, type Response, type Router } from 'express';
import { decodeJwt } from 'jose';
import { createTokenVerifier, TokenError, type TokenVerifier } from '@mcx/auth';
import type { IdmsConfig, PartnerConfig } from '../config/config.ts';
import type { OidcPayloadStore } from '../storage/payload-store.ts';
import { revokedTokensOf, SET_MEDIA_TYPE, SET_PUSH_PATH, SET_TYPE } from './security-event.ts';

/**
 * Partner side of the revocation push: the migration tokens a primary IdMS revoked, as it pushed
 * them (./transmitter.ts), kept in memory and written through (OidcPayload rows of kind
 * {@link REVOKED_BY_PARTNER_KIND} until the token expires, so a restart forgets none). The token
 * exchange refuses them (../token-exchange/check-not-revoked.ts) and the partner's subject-token
 * verifiers drop them from their cache.
 */
export const REVOKED_BY_PARTNER_KIND = 'PartnerRevokedToken';

export class PartnerRevocations {
  readonly #revoked = new Map<string, number>();
  readonly #verifiers = new Map<string, TokenVerifier>();

  private constructor(private readonly store: OidcPayloadStore) {}

  static load(store: OidcPayloadStore): PartnerRevocations {
    const r = new PartnerRevocations(store);
    for (const row of store.allOf(REVOKED_BY_PARTNER_KIND)) {
      const { iss, jti } = JSON.parse(row.payload) as { iss: string; jti: string };
      r.#revoked.set(`${iss} ${jti}`, row.expiresAt!.getTime());
    }
    return r;
  }

  /** Whether the partner `issuer` revoked its token `jti`. */
  has(issuer: string, jti: string | undefined): boolean {
    if (!jti) return false;
    const until = this.#revoked.get(`${issuer} ${jti}`);
    return until !== undefined && until > Date.now();
  }

  /** Records a revocation pushed by `issuer` (durably), then tells the verifier of its tokens. */
  async add(issuer: string, jti: string, exp: number): Promise<void> {
    if (exp * 1000 <= Date.now() || this.has(issuer, jti)) return;
    await this.store.upsert({ id: `${REVOKED_BY_PARTNER_KIND}:${issuer} ${jti}`, kind: REVOKED_BY_PARTNER_KIND, payload: JSON.stringify({ iss: issuer, jti }), grantId: null, expiresAt: new Date(exp * 1000) });
    this.#revoked.set(`${issuer} ${jti}`, exp * 1000);
    this.#verifiers.get(issuer)?.revoke(jti, new Date(exp * 1000));
  }

  /** The verifier of `issuer`'s tokens (replaced on reconfiguration) learns every revocation. */
  attach(issuer: string, verifier: TokenVerifier): void {
    this.#verifiers.set(issuer, verifier);
    const prefix = `${issuer} `;
    for (const [key, until] of this.#revoked) if (key.startsWith(prefix)) verifier.revoke(key.slice(prefix.length), new Date(until));
  }
}

/** RFC 8935 clause 2.3: the error response `{ err, description }` with 400. */
function refuse(res: Response, status: number, err: string, description: string): void {
  res.status(status).set('cache-control', 'no-store').json({ err, description });
}

/**
 * `POST /secevents` (RFC 8935 clause 2): a SET from a partner IdMS, `Content-Type:
 * application/secevent+jwt`. Accepted (202) when it is signed by a configured partner's key,
 * `typ` secevent+jwt, `aud` this IdMS; every token-revoked event in it is recorded first.
 */
export function revocationReceiverRouter(deps: { issuer: string; config: () => IdmsConfig; revocations: PartnerRevocations }): Router {
  const router = express.Router();
  const verifiers = new Map<string, { partner: PartnerConfig; verifier: TokenVerifier }>();
  function setVerifier(partner: PartnerConfig): TokenVerifier {
    const known = verifiers.get(partner.issuer);
    if (known?.partner === partner) return known.verifier;
    const verifier = createTokenVerifier({
      issuer: partner.issuer,
      audience: deps.issuer,
      ...(partner.jwksUri ? { jwksUri: partner.jwksUri } : {}),
      tokenType: SET_TYPE,
      requiredClaims: ['iat', 'jti', 'events'],
      cacheSize: 0,
    });
    verifiers.set(partner.issuer, { partner, verifier });
    return verifier;
  }

  router.post(SET_PUSH_PATH, express.text({ type: SET_MEDIA_TYPE, limit: '16kb' }), async (req: Request, res: Response, next) => {
    try {
      if (!req.is(SET_MEDIA_TYPE) || typeof req.body !== 'string') return refuse(res, 400, 'invalid_request', `a SET is sent as ${SET_MEDIA_TYPE}`);
      const set = req.body.trim();
      let iss: string | undefined;
      try {
        iss = decodeJwt(set).iss;
      } catch {
        return refuse(res, 400, 'invalid_request', 'not a JWT');
      }
      const partner = deps.config().partners.find((p) => p.issuer === iss);
      if (!partner) return refuse(res, 400, 'invalid_issuer', 'the issuer is not a partner IdMS of this system');
      let claims: Record<string, unknown>;
      try {
        claims = (await setVerifier(partner).verify(set)).claims;
      } catch (err) {
        if (!(err instanceof TokenError)) throw err;
        if (err.code === 'jwks-unavailable') return refuse(res, 503, 'temporarily_unavailable', err.message);
        if (err.code === 'wrong-audience') return refuse(res, 400, 'invalid_audience', err.message);
        if (err.code === 'bad-signature' || err.code === 'unknown-key') return refuse(res, 400, 'invalid_key', err.message);
        return refuse(res, 400, 'authentication_failed', err.message);
      }
      const revoked = revokedTokensOf(claims['events']);
      if (!revoked) return refuse(res, 400, 'invalid_request', 'malformed events claim');
      for (const t of revoked) await deps.revocations.add(partner.issuer, t.jti, t.exp);
      res.status(202).end();
    } catch (err) {
      next(err);
    }
  });
  return router;
}
