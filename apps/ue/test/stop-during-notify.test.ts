// Stopping a UE always works (docs/ue-host-api.md, DELETE /api/ues/:id): a DELETE that arrives while the
// UE applies NOTIFYs (TS 24.484 6.3.13: the CMC updates its local document copies) answers 204, the UE
// leaves the list and its protected local copies (at-rest/) leave the disk, even when a copy was being
// written at that moment.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUserProfile, serializeUserProfile } from '@mcx/documents';
import { startUeHost, type UeHostHandle, type UeSnapshot } from '../src/index.ts';
import { mcpttIdOf, startTwoSystems, UE_CLIENT, USERS, type TwoSystems } from './two-systems.ts';

let sys: TwoSystems;
let host: UeHostHandle;
let dataDir: string;
/** Delay (ms) of the UEs' document GETs at CMS-A: a NOTIFY that needs a fetch is still being handled when the DELETE arrives. */
let getDelay = 0;
const CAROL = mcpttIdOf('carol');
const profileSel = `org.3gpp.mcptt.user-profile/users/${CAROL}/mcptt-user-profile-1.xml`;

async function adminPut(baseUrl: string, token: string, selector: string, xml: string): Promise<number> {
  const res = await fetch(`${baseUrl}/admin/documents/${selector}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' }, body: xml });
  await res.arrayBuffer();
  return res.status;
}

/** Admin edits of carol's profile in mcx-a, one after the other, until `stop()`; each one is a NOTIFY to her UEs. */
function editLoop(): { stop: () => Promise<number> } {
  let running = true;
  let edits = 0;
  const done = (async () => {
    while (running) {
      const profile = parseUserProfile(sys.a.cms.store.peek(profileSel)!.body);
      profile.name = [{ value: `carol edit ${++edits}` }];
      expect(await adminPut(sys.a.cms.httpUrl, sys.admin['mcx-a'], profileSel, serializeUserProfile(profile))).toBe(200);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return edits;
    },
  };
}

beforeAll(async () => {
  sys = await startTwoSystems();
  dataDir = mkdtempSync(join(tmpdir(), 'mcx-ue-stop-'));
  const slowGets = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const res = await fetch(input, init);
    if (getDelay > 0 && (init?.method ?? 'GET') === 'GET' && url.startsWith(sys.a.cms.httpUrl) && url.includes('user-profile')) await new Promise((r) => setTimeout(r, getDelay));
    return res;
  };
  host = await startUeHost({ dataDir, systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT }, { fetch: slowGets });
});

afterAll(async () => {
  await host?.close();
  await sys?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DELETE /api/ues/:id while the UE handles NOTIFYs', () => {
  it('answers 204 every time, the UE is no longer listed and its data folder is gone', async () => {
    const rounds = 8;
    const perRound = 4;
    for (let round = 0; round < rounds; round++) {
      const ids = Array.from({ length: perRound }, (_, i) => `stop-carol-${round}-${i}`);
      for (const id of ids) {
        const created = await fetch(`${host.url}/api/ues`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, user: 'carol' }) });
        expect(created.status).toBe(201);
      }
      const ues = ids.map((id) => host.ue(id)!);
      await Promise.all(ues.map((ue) => ue.waitFor((u) => u.state === 'STABLE')));
      const folders = ids.map((id) => join(dataDir, 'ues', id));
      expect(folders.filter((f) => existsSync(f))).toEqual(folders);
      // Files a removal must go through (stale copies of an earlier run): the folder takes a while to remove.
      for (const f of folders) for (let n = 0; n < 2000; n++) writeFileSync(join(f, `stale-${n}.bin`), '');

      getDelay = 5 + round * 8;
      const edits = editLoop();
      // Each UE is deleted at a different point of a NOTIFY's handling: right after a copy changed, or a little later.
      const before = ues[0]!.copies.get('mcx-a', 'cms', profileSel)!.etag;
      await ues[0]!.waitFor((u) => u.copies.get('mcx-a', 'cms', profileSel)?.etag !== before);
      const answers = await Promise.all(
        ids.map(async (id, i) => {
          await new Promise((r) => setTimeout(r, (round + i) * 2));
          const res = await fetch(`${host.url}/api/ues/${id}`, { method: 'DELETE' });
          return { id, status: res.status, body: await res.text() };
        }),
      );
      expect(await edits.stop()).toBeGreaterThan(0);
      getDelay = 0;

      expect(answers).toEqual(ids.map((id) => ({ id, status: 204, body: '' })));
      const listed = (await (await fetch(`${host.url}/api/ues`)).json()) as UeSnapshot[];
      expect(listed.map((s) => s.id).filter((id) => ids.includes(id))).toEqual([]);
      expect(ids.filter((id) => host.ue(id) !== undefined)).toEqual([]);
      // A NOTIFY whose handling was in flight does not bring a folder back.
      await new Promise((r) => setTimeout(r, 50));
      expect(folders.filter((f) => existsSync(f))).toEqual([]);
    }
  }, 120_000);
});
