// The console server's GET /api/instances over real HTTP (issue #17): each system's instances and
// fronts as the composition root reports them, every instance reported down (and the fronts' view
// dropped) when the checks stop answering, an empty list without instance access, and the login.
// The instance access is a stand-in (its wiring to the real servers: apps/mcx ecosystem/console.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleHandle, type SystemInstances } from './index.ts';

const SECRET = 'lab-control-secret-for-the-instances-test';
let withInstances: ConsoleHandle;
let without: ConsoleHandle;
let uiDir: string;
let answer: () => Promise<SystemInstances>;

const SYSTEMS = [{ id: 'mcx-b', name: 'B', role: 'partner' as const, plmns: ['00102'], domain: 'mcx-b.example.net' }];
const admin = { get: async () => ({ selector: '', body: '', etag: '' }), put: async () => ({ selector: '', body: '', etag: '' }) };
const TWO: SystemInstances = {
  instances: [
    { role: 'cms', replica: 1, http: 'https://127.0.0.1:41001', sip: 'sip:cms@127.0.0.1:41002;transport=udp', process: 'mcx up', pid: 100, up: true, checks: [{ kind: 'http', target: 'https://127.0.0.1:41001', up: true }, { kind: 'sip', target: 'sip:cms@127.0.0.1:41002;transport=udp', up: true }], seenByFront: { haproxy: true, kamailio: true } },
    { role: 'cms', replica: 2, http: 'https://127.0.0.1:41011', sip: 'sip:cms@127.0.0.1:41012;transport=udp', process: 'replica-2', pid: 200, up: true, checks: [{ kind: 'http', target: 'https://127.0.0.1:41011', up: true }], seenByFront: { haproxy: true } },
  ],
  fronts: [{ role: 'cms', kind: 'haproxy', address: '127.0.0.1:7102', backends: [{ replica: 1, up: true }, { replica: 2, up: true }] }],
};

beforeAll(async () => {
  uiDir = mkdtempSync(join(tmpdir(), 'mcx-console-ui-'));
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>console</title>');
  const common = { ueHostUrl: 'http://127.0.0.1:9', controlToken: SECRET, uiDir, systems: SYSTEMS, health: async () => [], admin };
  withInstances = await startConsole({ ...common, instances: () => answer() });
  without = await startConsole(common);
});
afterAll(async () => {
  await withInstances?.close();
  await without?.close();
  rmSync(uiDir, { recursive: true, force: true });
});

const api = (c: ConsoleHandle) => fetch(`${c.url}/api/instances`, { headers: { authorization: `Bearer ${SECRET}` } });

describe('console server: GET /api/instances', () => {
  it('lists each system with its instances and fronts, not cached, behind the login', async () => {
    answer = async () => TWO;
    const res = await api(withInstances);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual([{ id: 'mcx-b', name: 'B', ...TWO }]);
    expect((await fetch(`${withInstances.url}/api/instances`)).status).toBe(401);
  });

  it('reports every instance last seen down, and no front view, when the checks stop answering or fail', async () => {
    answer = async () => TWO;
    await api(withInstances);
    answer = () => new Promise(() => undefined); // never answers
    const [hung] = (await (await api(withInstances)).json()) as ({ id: string } & SystemInstances)[];
    expect(hung!.instances.map((i) => [i.role, i.replica, i.up, i.process])).toEqual([
      ['cms', 1, false, 'mcx up'],
      ['cms', 2, false, 'replica-2'],
    ]);
    expect(hung!.instances.every((i) => i.seenByFront === undefined && i.checks.every((c) => !c.up && /no health answer/.test(c.detail ?? '')))).toBe(true);
    expect(hung!.fronts).toEqual([{ role: 'cms', kind: 'haproxy', address: '127.0.0.1:7102', detail: expect.stringMatching(/no health answer/) }]);
    answer = () => Promise.reject(new Error('boom'));
    const [failed] = (await (await api(withInstances)).json()) as SystemInstances[];
    expect(failed!.instances.some((i) => i.up)).toBe(false);
  });

  it('answers an empty list per system when mcx up gives no instance access', async () => {
    expect(await (await api(without)).json()).toEqual([{ id: 'mcx-b', name: 'B', instances: [], fronts: [] }]);
  });
});
