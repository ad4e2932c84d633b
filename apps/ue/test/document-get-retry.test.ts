// A document GET that fails while the initial NOTIFY is applied (TS 24.484 4.2.2.1.1 step 4,
// 4.2.2.1.2.1): retried with backoff when transient (503, Retry-After honoured), and the UE never
// becomes STABLE without every document it subscribed to; when it keeps failing, the step fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUeHost, type Ue, type UeHostHandle } from '../src/index.ts';
import { retryAfterMs } from '../src/online-configuration/synchronize.ts';
import { startTwoSystems, UE_CLIENT, USERS, type TwoSystems } from './two-systems.ts';

let sys: TwoSystems;
const dirs: string[] = [];
const hosts: UeHostHandle[] = [];

const settled = (ue: Ue) => ue.waitFor((u) => ['STABLE', 'FAILED', 'MIGRATION_FAILED'].includes(u.state));

/** A user profile document of `username` at the CMS whose XCAP root starts with `cmsRoot`. */
const isProfileGet = (cmsRoot: string, username: string) => (url: string, method: string) =>
  method === 'GET' && url.startsWith(cmsRoot) && /* at home sip:<user>@…, in a partner the ID it assigned, sip:<user>.<home>@… (TS 23.280 10.16.5) */ new RegExp(`org\\.3gpp\\.mcptt\\.user-profile/users/sip:${username}[@.]`).test(decodeURIComponent(url));

/**
 * The host's HTTP client with a fault: the GETs `matches` selects answer 503 (with `retryAfter`
 * seconds on the first, when given) while `failing(n)` holds for the n-th such GET (1-based).
 */
function faultyFetch(matches: (url: string, method: string) => boolean, failing: (n: number) => boolean, retryAfter?: number) {
  const gets: { url: string; at: number; status: number }[] = [];
  const http = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (matches(url, method)) {
      const n = gets.length + 1;
      if (failing(n)) {
        gets.push({ url, at: Date.now(), status: 503 });
        return new Response('overloaded', { status: 503, headers: n === 1 && retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {} });
      }
      const res = await fetch(input, init);
      gets.push({ url, at: Date.now(), status: res.status });
      return res;
    }
    return fetch(input, init);
  }) as typeof fetch;
  return { http, gets };
}

async function hostWith(http: typeof fetch): Promise<UeHostHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mcx-ue-get-'));
  dirs.push(dataDir);
  const host = await startUeHost({ dataDir, systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT, retry: { baseMs: 20, capMs: 2000, attempts: 2 } }, { fetch: http });
  hosts.push(host);
  return host;
}

const cmsRoot = (s: TwoSystems['a']) => s.endpoints.cms.xcapRoot;
const profiles = (ue: Ue, system: string) => ue.snapshot().documents.filter((d) => d.system === system && d.kind === 'user-profile');

beforeAll(async () => {
  sys = await startTwoSystems({ sipTimers: { t1: 100, t2: 400, t4: 500 } });
});

afterAll(async () => {
  for (const h of hosts) await h.close();
  await sys?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('Retry-After (RFC 9110 10.2.3)', () => {
  it('reads delay-seconds and an HTTP-date; anything else is no delay', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000 + 5_000).toUTCString(), 10_000)).toBe(5000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('a failed document GET during the initial NOTIFY', () => {
  it('online configuration: two 503s are retried (the first Retry-After waited for) and the UE is STABLE with its profile', async () => {
    const fault = faultyFetch(isProfileGet(cmsRoot(sys.a), 'bob'), (n) => n <= 2, 1);
    const host = await hostWith(fault.http);
    const ue = host.createUe({ id: 'ue-bob-retry', user: 'bob' });
    await settled(ue);
    expect(ue.state).toBe('STABLE');
    expect(fault.gets.map((g) => g.status)).toEqual([503, 503, 200]);
    expect(fault.gets[1]!.at - fault.gets[0]!.at).toBeGreaterThanOrEqual(950);
    expect(profiles(ue, 'mcx-a').map((d) => d.selector)).toEqual([expect.stringContaining('mcptt-user-profile-1.xml')]);
    expect(ue.snapshot().activeProfile?.index).toBe(1);
    expect(ue.history.some((h) => h.state === 'RETRY_WAIT')).toBe(false);
  });

  it('migration: a partner profile GET answering 503 twice is retried and the UE is STABLE in the partner with that profile', async () => {
    const fault = faultyFetch(isProfileGet(cmsRoot(sys.b), 'alice'), (n) => n <= 2);
    const host = await hostWith(fault.http);
    const ue = host.createUe({ id: 'ue-alice-retry', user: 'alice' });
    await settled(ue);
    expect(ue.state).toBe('STABLE');
    await ue.setPlmn('00102');
    await settled(ue);
    const s = ue.snapshot();
    expect([s.state, s.system, s.migrated, s.error]).toEqual(['STABLE', 'mcx-b', true, null]);
    expect(fault.gets.map((g) => g.status)).toEqual([503, 503, 200]);
    expect(profiles(ue, 'mcx-b')).toHaveLength(1);
    expect(s.activeProfile).toMatchObject({ system: 'mcx-b', index: 1, name: 'visiting-mcx-b' });
    // The migration's steps were timed (what `mcx bench migration` reports); the retried GETs count in `/GET`.
    const steps = s.timings.steps!;
    expect(Object.keys(steps).sort()).toEqual(
      [
        'migration-service-authorization',
        'migration-token',
        'select-partner',
        'select-profile',
        'subscribe-partner-cms',
        'subscribe-partner-cms/GET',
        'subscribe-partner-cms/NOTIFY',
        'subscribe-partner-cms/SUBSCRIBE',
        'subscribe-partner-gms',
        'subscribe-partner-gms/GET',
        'subscribe-partner-gms/NOTIFY',
        'subscribe-partner-gms/SUBSCRIBE',
        'token-exchange',
      ].sort(),
    );
    expect(steps['subscribe-partner-cms/GET']!).toBeGreaterThanOrEqual(fault.gets[2]!.at - fault.gets[0]!.at - 1);
    expect(steps['subscribe-partner-cms']!).toBeGreaterThanOrEqual(steps['subscribe-partner-cms/GET']!);
  });

  it('migration: a partner profile GET that keeps failing ends in MIGRATION_FAILED naming the GET; the UE stays home', async () => {
    const fault = faultyFetch(isProfileGet(cmsRoot(sys.b), 'carol'), () => true);
    const host = await hostWith(fault.http);
    const ue = host.createUe({ id: 'ue-carol-fail', user: 'carol' });
    await settled(ue);
    expect(ue.state).toBe('STABLE');
    await ue.setPlmn('00102');
    await settled(ue);
    const s = ue.snapshot();
    expect(s.state).toBe('MIGRATION_FAILED');
    expect(s.error?.step).toBe('subscribe-partner-cms');
    // In B carol's documents are under the MCPTT ID mcx-b assigned her (TS 23.280 10.16.5).
    expect(s.error?.reason).toMatch(/^GET org\.3gpp\.mcptt\.user-profile\/users\/sip:carol\.mcx-a@mcx-b\.example\.net\/mcptt-user-profile-1\.xml: HTTP 503 \(after 3 attempts\)$/);
    expect([s.system, s.migrated]).toEqual(['mcx-a', false]);
    // Up to the first MIGRATION_FAILED: 3 GETs per attempt (the first and 2 retries), 3 attempts
    // of the migration (the first and 2 retries).
    const failedAt = Date.parse(ue.history.find((h) => h.state === 'MIGRATION_FAILED')!.at);
    expect(fault.gets.filter((g) => g.at <= failedAt)).toHaveLength(9);
    const untilFailed = ue.history.slice(0, ue.history.findIndex((h) => h.state === 'MIGRATION_FAILED'));
    expect(untilFailed.filter((h) => h.state === 'RETRY_WAIT')).toHaveLength(2);
    expect(profiles(ue, 'mcx-b')).toEqual([]);
  });

  it('online configuration: a profile GET that keeps failing ends in FAILED naming the GET, never STABLE', async () => {
    const fault = faultyFetch(isProfileGet(cmsRoot(sys.a), 'bob'), () => true);
    const host = await hostWith(fault.http);
    const ue = host.createUe({ id: 'ue-bob-fail', user: 'bob' });
    await settled(ue);
    const s = ue.snapshot();
    expect(s.state).toBe('FAILED');
    expect(s.error?.step).toBe('subscribe-cms');
    expect(s.error?.reason).toMatch(/^GET org\.3gpp\.mcptt\.user-profile\/users\/sip:bob@mcx-a\.example\.net\/mcptt-user-profile-1\.xml: HTTP 503/);
    expect(ue.history.some((h) => h.state === 'STABLE')).toBe(false);
    const failedAt = Date.parse(ue.history.find((h) => h.state === 'FAILED')!.at);
    expect(fault.gets.filter((g) => g.at <= failedAt)).toHaveLength(9);
  });
});
