import { invalidGrant } from './exchange-context.ts';
import { errors } from 'oidc-provider';
import type { PartnerConfig } from '../config/config.ts';
import type { ExchangeStep } from './exchange-context.ts';

/**
 * The subject token must still be active at its issuer: token introspection (RFC 7662 clause
 * 2) at the primary IdMS with this IdMS's client credentials there. A token revoked at the
 * primary (RFC 7009), or whose grant was revoked, is refused even though its signature and
 * expiry are fine ("a replayed revoked token").
 */
export function checkNotRevoked(): ExchangeStep {
  const endpoints = new Map<string, Promise<string>>();

  function introspectionEndpoint(partner: PartnerConfig): Promise<string> {
    let p = endpoints.get(partner.issuer);
    if (!p) {
      p = (async () => {
        const res = await fetch(`${partner.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
        if (!res.ok) throw new Error(`discovery HTTP ${res.status}`);
        const doc = (await res.json()) as { introspection_endpoint?: string };
        if (!doc.introspection_endpoint) throw new Error('no introspection_endpoint');
        return doc.introspection_endpoint;
      })();
      p.catch(() => endpoints.delete(partner.issuer));
      endpoints.set(partner.issuer, p);
    }
    return p;
  }

  return async (state) => {
    const partner = state.partner!;
    if (!partner.introspection) {
      if (partner.requireRevocationCheck) throw invalidGrant('revocation status of the subject_token cannot be checked');
      return;
    }
    let active: boolean;
    try {
      const endpoint = await introspectionEndpoint(partner);
      const basic = Buffer.from(
        `${encodeURIComponent(partner.introspection.clientId)}:${encodeURIComponent(partner.introspection.clientSecret)}`,
      ).toString('base64');
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token: state.subjectToken, token_type_hint: 'access_token' }),
      });
      if (!res.ok) throw new Error(`introspection HTTP ${res.status}`);
      const body = (await res.json()) as { active?: unknown; jti?: unknown };
      active = body.active === true && (body.jti === undefined || body.jti === state.subject?.jti);
    } catch (err) {
      throw new errors.TemporarilyUnavailable(`cannot check the subject_token at ${partner.systemId}: ${(err as Error).message}`);
    }
    if (!active) throw invalidGrant('subject_token is no longer active (revoked)');
  };
}
