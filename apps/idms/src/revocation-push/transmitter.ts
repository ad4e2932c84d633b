import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import type { Logger } from 'pino';
import type { IdmsConfig, PartnerConfig } from '../config/config.ts';
import type { RevokedMigrationToken } from '../jwt-token-status/jwt-token-status.ts';
import type { OidcPayloadStore } from '../storage/payload-store.ts';
import { SET_MEDIA_TYPE, SET_PUSH_PATH, SET_TYPE, TOKEN_REVOKED_EVENT } from './security-event.ts';

/**
 * Primary side of the revocation push (RFC 8935 push delivery of an RFC 8417 SET): a migration
 * token revoked here (RFC 7009, or with its grant: refresh token revoked, logout) is pushed to
 * the partner IdMS it was minted for. Each push is first recorded in a durable outbox
 * (OidcPayload rows of kind {@link PUSH_KIND}, until the token expires), attempted before the
 * revocation is answered (so the client that revoked sees the partner refuse the token), and
 * retried with back-off until the partner accepts it (202) or the token has expired; pending
 * pushes are resumed after a restart. Our choice of mechanism (the "the primary can
 * push revocations to its partners"); the partner's side is ./receiver.ts.
 */
export const PUSH_KIND = 'RevocationPush';
/** How long a revocation waits for the partner before it is answered anyway (retried later). */
const FIRST_ATTEMPT_MS = 2000;
const MAX_BACKOFF_MS = 30_000;

export interface RevocationTransmitter {
  /** Records and pushes the revocation; resolves after the first attempt. */
  push(t: RevokedMigrationToken): Promise<void>;
  /** Resumes the pushes recorded before a restart. */
  resume(): void;
  close(): void;
}

interface Pending {
  id: string;
  partner: string;
  jti: string;
  exp: number;
}

export function revocationTransmitter(deps: {
  issuer: string;
  config: () => IdmsConfig;
  store: OidcPayloadStore;
  /** The active private signing key (it signs the SETs as it signs the tokens). */
  signingKey: () => JWK;
  signingAlg: string;
  logger: Logger;
}): RevocationTransmitter {
  const timers = new Map<string, NodeJS.Timeout>();
  let closed = false;

  function endpointOf(p: PartnerConfig): string {
    return p.revocationPushUri ?? `${p.issuer.replace(/\/$/, '')}${SET_PUSH_PATH}`;
  }

  async function sign(p: Pending): Promise<string> {
    const jwk = deps.signingKey();
    const key = await importJWK(jwk, deps.signingAlg);
    return new SignJWT({ events: { [TOKEN_REVOKED_EVENT]: { jti: p.jti, exp: p.exp } } })
      .setProtectedHeader({ alg: deps.signingAlg, typ: SET_TYPE, ...(jwk.kid ? { kid: jwk.kid } : {}) })
      .setIssuer(deps.issuer)
      .setAudience(p.partner)
      .setIssuedAt()
      .setJti(randomUUID())
      .sign(key);
  }

  /** One delivery attempt; true when the partner accepted the SET (RFC 8935 clause 2.2: 202). */
  async function deliver(p: Pending): Promise<boolean> {
    const partner = deps.config().partners.find((x) => x.issuer === p.partner);
    if (!partner) return true; // no longer a partner: nothing to tell it
    try {
      const res = await fetch(endpointOf(partner), {
        method: 'POST',
        headers: { 'content-type': SET_MEDIA_TYPE, accept: 'application/json' },
        body: await sign(p),
        signal: AbortSignal.timeout(FIRST_ATTEMPT_MS),
      });
      if (res.status === 202) {
        await res.arrayBuffer();
        return true;
      }
      deps.logger.warn({ partner: partner.systemId, status: res.status, body: (await res.text()).slice(0, 200) }, 'revocation push refused');
    } catch (err) {
      deps.logger.warn({ partner: partner.systemId, err: (err as Error).message }, 'revocation push failed');
    }
    return false;
  }

  async function attempt(p: Pending, backoffMs: number): Promise<void> {
    timers.delete(p.id);
    if (closed) return;
    if (await deliver(p)) {
      await deps.store.delete(p.id).catch((err: unknown) => deps.logger.warn({ err }, 'revocation push: outbox row not deleted'));
      return;
    }
    if (closed || p.exp * 1000 <= Date.now()) return; // expired: the partner refuses it anyway
    const t = setTimeout(() => void attempt(p, Math.min(backoffMs * 2, MAX_BACKOFF_MS)), backoffMs);
    t.unref();
    timers.set(p.id, t);
  }

  return {
    async push(t) {
      const partner = deps.config().partners.find((x) => x.issuer === t.audience);
      if (!partner || t.exp * 1000 <= Date.now()) return;
      const p: Pending = { id: `${PUSH_KIND}:${partner.systemId}:${t.jti}`, partner: partner.issuer, jti: t.jti, exp: t.exp };
      await deps.store.upsert({ id: p.id, kind: PUSH_KIND, payload: JSON.stringify({ partner: p.partner, jti: p.jti, exp: p.exp }), grantId: null, expiresAt: new Date(p.exp * 1000) });
      await attempt(p, 1000);
    },
    resume() {
      for (const row of deps.store.allOf(PUSH_KIND)) {
        if (timers.has(row.id)) continue;
        const { partner, jti, exp } = JSON.parse(row.payload) as { partner: string; jti: string; exp: number };
        void attempt({ id: row.id, partner, jti, exp }, 1000);
      }
    },
    close() {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
