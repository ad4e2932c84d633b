// One upload does not stall the ecosystem (issue #18 item 8): `mcx up` runs every server of both MC systems in one process, so
// the CMS checks a large accepted document in a worker thread (apps/cms write-checker.ts). While the largest profile within the
// CMS's limits (20,000 elements) is being checked, the other servers' /healthz and a SIP OPTIONS to the partner MCS are answered
// before the upload's own response arrives. An ordering assertion: were the check on the shared event loop, no worker would run
// it and nothing else would be answered until it ended. The 200,000-element profile of the issue is refused with 409.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEcosystem } from '@mcx/ecosystem';
import { SipEndpoint } from '@mcx/sip';
import { startEcosystem, type RunningEcosystem } from '../../apps/mcx/src/ecosystem/ecosystem.ts';
import { largestAcceptedProfile, withExtensionElements } from '../../apps/mcx/src/faults/large-upload.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const PROFILE_MIME = 'application/vnd.3gpp.mcptt-user-profile+xml';
let dir: string;
let running: RunningEcosystem;
let sip: SipEndpoint;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcx-e2e-upload-'));
  running = await startEcosystem({ ecosystem: loadEcosystem(join(REPO, 'ecosystem.yaml')), dataDir: join(dir, 'data'), ephemeralPorts: true, scryptCost: 1024, console: false, startUes: false });
  sip = await SipEndpoint.create({});
});
afterAll(async () => {
  await sip?.close();
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Polls `condition` (a task is posted to a worker thread as soon as the CMS has read the body). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !condition()) await new Promise((r) => setTimeout(r, 2));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('a large upload to the primary CMS', () => {
  it("lets every other server answer /healthz, and the partner MCS an OPTIONS, before the upload's response arrives", async () => {
    const [a, b] = [running.systems.systems.find((s) => s.config.role === 'primary')!, running.systems.systems.find((s) => s.config.role !== 'primary')!];
    const profiles = a.cms.store.listSync('org.3gpp.mcptt.user-profile/users/').filter((d) => !d.selector.includes('/migration/'));
    const largest = profiles.reduce((x, y) => (y.body.length > x.body.length ? y : x));
    const body = largestAcceptedProfile(largest.body, a.cms.config.documentLimits.maxElements);
    const order: string[] = [];

    const upload = fetch(`${a.cms.httpUrl}/admin/documents/${largest.selector}`, { method: 'PUT', headers: { authorization: `Bearer ${a.admin.token}`, 'content-type': PROFILE_MIME }, body }).then((r) => {
      order.push('upload');
      return r;
    });
    await until(() => a.cms.writeChecker.stats().running > 0, 'the CMS to check the upload in a worker thread');

    const healthUrls = [a.idms.issuer, a.gms.httpUrl, b.idms.issuer, b.cms.httpUrl, b.gms.httpUrl].map((u) => `${u.replace(/\/$/, '')}/healthz`);
    const health = healthUrls.map((url) =>
      fetch(url).then(async (r) => {
        await r.arrayBuffer();
        order.push(url);
        return r.status;
      }),
    );
    const [, host, port] = /@([^:;]+):(\d+)/.exec(b.endpoints.mcs.sip)!;
    const options = sip.request({ method: 'OPTIONS', uri: b.endpoints.mcs.sip.split(';')[0]!, from: '<sip:probe@example.net>', target: { protocol: 'udp', host: host!, port: Number(port) } }).then((r) => {
      order.push('options');
      return r.status;
    });

    expect(await Promise.all(health)).toEqual(healthUrls.map(() => 200));
    expect(await options).toBe(200);
    const res = await upload;
    expect(res.status).toBe(200);
    expect(order).toHaveLength(healthUrls.length + 2);
    expect(order.at(-1)).toBe('upload');
  });

  it('refuses the 0.8 MB profile with 200,000 extension elements with 409 constraint-failure, storing nothing', async () => {
    const a = running.systems.systems.find((s) => s.config.role === 'primary')!;
    const sel = a.cms.store.listSync('org.3gpp.mcptt.user-profile/users/')[0]!.selector;
    const before = a.cms.store.peek(sel)!;
    const res = await fetch(`${a.cms.httpUrl}/admin/documents/${sel}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${a.admin.token}`, 'content-type': PROFILE_MIME },
      body: withExtensionElements(before.body, 200_000),
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: 'constraint-failure' });
    expect(a.cms.store.peek(sel)!.etag).toBe(before.etag);
  });
});
