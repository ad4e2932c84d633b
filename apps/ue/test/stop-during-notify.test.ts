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
/**
 * While set, the UEs' GETs of carol's profile at CMS-A are answered only once `file` is gone (the removal of the
 * UE's folder has reached it) or after 2 s: the copy that GET brings is written while the folder is being removed.
 */
let hold: { file: string; held: () => void } | undefined;
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
  const heldGets = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const res = await fetch(input, init);
    const h = hold;
    if (h && (init?.method ?? 'GET') === 'GET' && url.startsWith(sys.a.cms.httpUrl) && url.includes('user-profile')) {
      h.held();
      const until = Date.now() + 2000;
      while (existsSync(h.file) && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
    }
    return res;
  };
  host = await startUeHost({ dataDir, systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT }, { fetch: heldGets });
});

afterAll(async () => {
  await host?.close();
  await sys?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DELETE /api/ues/:id while the UE handles NOTIFYs', () => {
  it('answers 204 every time, the UE is no longer listed and its data folder is gone', async () => {
    for (let round = 0; round < 4; round++) {
      const id = `stop-carol-${round}`;
      const created = await fetch(`${host.url}/api/ues`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${host.controlToken}` }, body: JSON.stringify({ id, user: 'carol' }) });
      expect(created.status).toBe(201);
      const ue = host.ue(id)!;
      await ue.waitFor((u) => u.state === 'STABLE');
      const folder = join(dataDir, 'ues', id);
      // Files the removal goes through (stale copies of an earlier run), so that it takes a while.
      for (let n = 0; n < 2000; n++) writeFileSync(join(folder, `stale-${n}.bin`), '');
      // The profile copy fails its integrity check when the next NOTIFY needs it: the UE re-fetches it (a GET held above).
      const file = ue.copies.store.fileOf('mcx-a', `cms:${profileSel}`);
      writeFileSync(file, 'not a protected copy');
      const held = new Promise<void>((resolve) => (hold = { file, held: resolve }));

      const edits = editLoop();
      await held;
      const res = await fetch(`${host.url}/api/ues/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${host.controlToken}` } });
      const body = await res.text();
      expect(await edits.stop()).toBeGreaterThan(0);
      hold = undefined;

      expect({ round, status: res.status, body }).toEqual({ round, status: 204, body: '' });
      const listed = (await (await fetch(`${host.url}/api/ues`, { headers: { authorization: `Bearer ${host.controlToken}` } })).json()) as UeSnapshot[];
      expect(listed.map((s) => s.id)).not.toContain(id);
      expect(host.ue(id)).toBeUndefined();
      // A NOTIFY whose handling was in flight does not bring the folder back.
      await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(folder)).toBe(false);
    }
  }, 120_000);
});
