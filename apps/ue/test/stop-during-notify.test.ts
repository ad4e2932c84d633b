// Stopping a UE always works (docs/ue-host-api.md, DELETE /api/ues/:id): a DELETE that arrives while the
// UE applies NOTIFYs (TS 24.484 6.3.13: the CMC updates its local document copies) answers 204, the UE
// leaves the list and its protected local copies (at-rest/) leave the copy log, even when a copy was being
// written at that moment.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUserProfile, serializeUserProfile } from '@mcx/documents';
import { CopyLog, ProtectedStore, startUeHost, type UeHostHandle, type UeSnapshot } from '../src/index.ts';
import { tamperWith } from './tamper.ts';
import { mcpttIdOf, startTwoSystems, UE_CLIENT, USERS, type TwoSystems } from './two-systems.ts';

let sys: TwoSystems;
let host: UeHostHandle;
let dataDir: string;
/**
 * While set, the UEs' GETs of carol's profile at CMS-A are answered only once the UE's copies are gone from the
 * log (its removal has been written) or after 2 s: the copy that GET brings is written while the UE is being removed.
 */
let hold: { store: ProtectedStore; held: () => void } | undefined;
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
      while (h.store.stored > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
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
      const store = ue.copies.store;
      expect(store.stored).toBeGreaterThan(0);
      // The profile copy fails its integrity check when the next NOTIFY needs it: the UE re-fetches it (a GET held above).
      tamperWith(store, 'mcx-a', `cms:${profileSel}`, (bytes) => Buffer.alloc(bytes.length, 0x55));
      const held = new Promise<void>((resolve) => (hold = { store, held: resolve }));

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
      // A NOTIFY whose handling was in flight does not bring a copy back, and the log opened again agrees.
      await new Promise((r) => setTimeout(r, 50));
      expect(store.stored).toBe(0);
      const reopened = new CopyLog(dataDir);
      expect(new ProtectedStore(Buffer.alloc(32), reopened, id).stored).toBe(0);
      await reopened.close();
    }
  }, 120_000);
});
