/**
 * Ending a system session: un-SUBSCRIBE both subscriptions (RFC 6665 clause 4.1.2.3, Expires 0)
 * and de-REGISTER (Expires 0). Best effort: the un-SUBSCRIBEs are not awaited, the REGISTER only
 * for its response. The session's NOTIFYs are ignored from here on (`closed`).
 */
import { register } from '../online-configuration/authorize-service.ts';
import type { HostServices } from './host-services.ts';
import type { SystemSession } from './session.ts';

export async function endSession(host: HostServices, ueId: string, session: SystemSession): Promise<void> {
  if (session.closed) return;
  session.closed = true;
  session.renewTimer?.cancel();
  const subs = [session.cms, session.gms].filter((h) => h !== undefined);
  session.cms = undefined;
  session.gms = undefined;
  for (const h of subs) void h.unsubscribe().catch(() => undefined);
  if (session.registered) {
    try {
      await register(host, ueId, session, 'service-authorization', { expires: 0 });
    } catch {
      session.registered = false;
    }
  }
}
