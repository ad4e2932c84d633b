/**
 * MCS user authentication at the IdMS (TS 24.482; TS 33.180 annex B): authorization code +
 * PKCE through the real login form; later renewals with the refresh token. One token for all
 * of the system's MC resource servers (aud = CMS, GMS, MCS; libs/auth README).
 */
import { loginWithPkce, refreshForResource, type McTokens } from '@mcx/auth';
import { classify } from '../ue/classify.ts';
import type { HostServices } from '../ue/host-services.ts';
import type { SystemSession, Tokens } from '../ue/session.ts';
import type { Step } from '../ue/step-runner.ts';
import type { ConfigurationContext } from './context.ts';

export function tokensOf(t: McTokens, keepRefresh?: string): Tokens {
  return { accessToken: t.accessToken, refreshToken: t.refreshToken ?? keepRefresh, expiresAt: Date.now() + (t.expiresIn ?? 300) * 1000 };
}

/** The MC ID of the user from the ID token (`mcptt_id`, TS 33.180 annex B.1.1.2), else the access token. */
export function mcpttIdOf(t: McTokens): string | undefined {
  for (const jwt of [t.idToken, t.accessToken]) {
    const payload = jwt?.split('.')[1];
    if (!payload) continue;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { mcptt_id?: string };
      if (claims.mcptt_id) return claims.mcptt_id;
    } catch {
      /* not a JWT */
    }
  }
  return undefined;
}

export async function login(host: HostServices, session: SystemSession, username: string, password: string): Promise<void> {
  try {
    const configuration = await host.idmsConfiguration(session.idmsIssuer);
    const t = await loginWithPkce({ issuer: session.idmsIssuer, clientId: host.config.ueClient.clientId, redirectUri: host.config.ueClient.redirectUri, username, password, configuration, fetch: session.http });
    session.tokens = tokensOf(t);
    session.mcpttId = mcpttIdOf(t) ?? session.mcpttId;
  } catch (err) {
    throw classify('login', err);
  }
}

/** A fresh access token from the refresh token (RFC 6749 clause 6); false when there is none or it was refused. */
export async function refresh(host: HostServices, session: SystemSession): Promise<boolean> {
  const rt = session.tokens?.refreshToken;
  if (!rt) return false;
  try {
    const configuration = await host.idmsConfiguration(session.idmsIssuer);
    const t = await refreshForResource({ issuer: session.idmsIssuer, clientId: host.config.ueClient.clientId, refreshToken: rt, configuration, fetch: session.http });
    session.tokens = tokensOf(t, rt);
    session.mcpttId = mcpttIdOf(t) ?? session.mcpttId;
    return true;
  } catch (err) {
    const e = classify('login', err);
    if (e.transient) throw e;
    return false;
  }
}

/** TS 24.484 4.2.2.1.1 step 2: MCS user authentication (the refresh token when held, else code + PKCE). */
export const authenticateStep: Step<ConfigurationContext> = {
  name: 'login',
  clause: 'TS 24.484 4.2.2.1.1',
  async run({ ue, session }) {
    if (!(await refresh(ue.host, session!))) await login(ue.host, session!, ue.user.username, ue.user.password);
    return { event: 'USER_AUTHENTICATED', text: `authenticated at ${session!.idmsIssuer} as ${session!.mcpttId}` };
  },
};
