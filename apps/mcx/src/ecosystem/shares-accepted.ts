/**
 * Waits until every CSC-17 share is accepted by the partner (the partner CMS told its IdMS, which
 * then accepts the users' token exchange): `POST /admin/migrations/share` on each CMS
 * (docs/server-contracts.md, CMS admin API) pushes what is pending and says how much still is.
 * The composition shares at the end of its start (compose.ts step 5), but with replicas
 * (`replicas` > 1) that push goes through the partner's HTTP front while instances 2..N are not up
 * yet and the front's health checks have not settled, and a refused push waits for the CMS's retry
 * timer (5 s): a migration in between would fail at the token exchange. So `mcx up --replicas`
 * (ecosystem.ts) ends its start with this wait. After `timeoutMs` it goes on and says how much is
 * still pending.
 */
import type { SystemsView } from './systems-view.ts';

export async function sharesAccepted(systems: SystemsView, log: (line: string) => void, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const summaries = await Promise.all(
      systems.systems.map(async (s) => {
        try {
          const res = await fetch(`${s.cms.httpUrl}/admin/migrations/share`, { method: 'POST', headers: { authorization: `Bearer ${s.admin.token}` }, signal: AbortSignal.timeout(30_000) });
          const body = (await res.json().catch(() => ({}))) as { pending?: number; errors?: string[] };
          return res.ok ? { pending: body.pending ?? 0, error: body.errors?.[0] } : { pending: 1, error: `HTTP ${res.status}` };
        } catch (err) {
          return { pending: 1, error: (err as Error).message };
        }
      }),
    );
    const pending = summaries.reduce((n, x) => n + x.pending, 0);
    if (pending === 0) return;
    if (Date.now() > deadline) {
      log(`${pending} CSC-17 share(s) still not accepted after ${timeoutMs / 1000} s (${summaries.find((x) => x.error)?.error ?? 'no reason given'}); going on`);
      return;
    }
    if (attempt === 1) log(`${pending} CSC-17 share(s) not accepted by the partner yet (${summaries.find((x) => x.error)?.error ?? 'pending'}); waiting`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
