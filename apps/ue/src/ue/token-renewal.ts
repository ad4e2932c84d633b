/**
 * Token renewal of the session the UE is configured in, 60 s before the access token expires
 * (our choice): at home the refresh token (RFC 6749 clause 6; a login when it is refused), in a
 * partner a new token exchange (TS 24.484 4.2.2.1.2.1); then a fresh REGISTER so that the MCS
 * holds a valid token. Runs in the UE's queue, between procedures.
 */
import { authenticatePartner } from '../migration/authenticate-partner.ts';
import { login, refresh } from '../online-configuration/authenticate.ts';
import { register } from '../online-configuration/authorize-service.ts';
import type { HostServices } from './host-services.ts';
import type { SystemSession } from './session.ts';

export interface RenewalUe {
  readonly id: string;
  readonly host: HostServices;
  readonly user: { username: string; password: string };
  readonly home: SystemSession | undefined;
  readonly current: SystemSession | undefined;
  note(text: string): void;
  /** Runs `fn` after the procedures queued before it. */
  enqueue(fn: () => Promise<void>): Promise<void>;
}

/** `delayMs`: renew after this long instead (0: an expired token, see Ue.expireToken). */
export function scheduleRenewal(ue: RenewalUe, session: SystemSession, delayMs?: number): void {
  session.renewTimer?.cancel();
  if (!session.tokens) return;
  const delay = delayMs ?? Math.max(5_000, session.tokens.expiresAt - Date.now() - 60_000);
  session.renewTimer = ue.host.endpoint.scheduler.schedule(delay, () => {
    void ue.enqueue(async () => {
      if (session.closed || session !== ue.current) return;
      try {
        if (session.role === 'home') {
          if (!(await refresh(ue.host, session))) await login(ue.host, session, ue.user.username, ue.user.password);
        } else await authenticatePartner(ue.host, ue.home!, session);
        await register(ue.host, ue.id, session, session.role === 'home' ? 'service-authorization' : 'migration-service-authorization', {
          ...(session.role === 'partner' && session.accessProfile
            ? { migration: { userProfileIndex: session.accessProfile.index } }
            : {}),
        });
        ue.note(`tokens of ${session.systemId} renewed`);
      } catch (err) {
        ue.note(`token renewal in ${session.systemId} failed: ${(err as Error).message}`);
      }
      scheduleRenewal(ue, session);
    });
  });
}
