// The UE host over its control API (docs/ue-host-api.md) with the SSE stream, versions (TS 23.280 10.1.4:
// get-with-version, upload, upload on the server's request) and the at-rest copies (tampering is
// detected and the document re-fetched), against real servers of two MC systems.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUserProfile, serializeUserProfile } from '@mcx/documents';
import { startUeHost, type Message, type UeHostHandle, type UeSnapshot } from '../src/index.ts';
import { mcpttIdOf, startTwoSystems, UE_CLIENT, USERS, type TwoSystems } from './two-systems.ts';
import { tamperWith } from './tamper.ts';

let sys: TwoSystems;
let host: UeHostHandle;
let dataDir: string;
const ALICE = mcpttIdOf('alice');
const profileSel = (index: number, id = ALICE) => `org.3gpp.mcptt.user-profile/users/${id}/mcptt-user-profile-${index}.xml`;
/** Alice's profile in mcx-b, stored under the MCPTT ID mcx-b assigned her (TS 23.280 10.16.5). */
const profileInB = (index: number) => profileSel(index, 'sip:alice.mcx-a@mcx-b.example.net');

interface SseEvent {
  event: string;
  data: unknown;
}

/** Reads an SSE stream until `until` returns true for the events seen so far. */
async function readEvents(url: string, until: (events: SseEvent[]) => boolean, during?: () => Promise<void>): Promise<SseEvent[]> {
  const ac = new AbortController();
  const res = await call(url, { signal: ac.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const events: SseEvent[] = [];
  let buffer = '';
  const pending = during?.();
  try {
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += Buffer.from(value).toString('utf8');
      let at: number;
      while ((at = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  } finally {
    ac.abort();
    await pending;
  }
  return events;
}

/** A control API request with the host's control secret (docs/ue-host-api.md "Authentication"). */
const call = (url: string, init: RequestInit = {}) =>
  fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${host.controlToken}` } });
const post = (path: string, body: unknown) => call(`${host.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const get = async <T>(path: string): Promise<T> => (await (await call(`${host.url}${path}`)).json()) as T;
const stable = (id: string, system: string) => (events: SseEvent[]) =>
  events.some((e) => e.event === 'ue' && (e.data as UeSnapshot).id === id && (e.data as UeSnapshot).state === 'STABLE' && (e.data as UeSnapshot).system === system);

beforeAll(async () => {
  sys = await startTwoSystems();
  dataDir = mkdtempSync(join(tmpdir(), 'mcx-ue-host-'));
  host = await startUeHost({ dataDir, systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT });
});

afterAll(async () => {
  await host?.close();
  await sys?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('control API', () => {
  it('creates a UE and streams its snapshots and protocol messages until it is STABLE', async () => {
    expect(await get('/healthz')).toEqual({ ok: true, app: 'ue-host', ues: 0 });
    const events = await readEvents(`${host.url}/api/events?ue=api-alice`, stable('api-alice', 'mcx-a'), async () => {
      const res = await post('/api/ues', { id: 'api-alice', user: 'alice' });
      expect(res.status).toBe(201);
      expect(((await res.json()) as UeSnapshot).id).toBe('api-alice');
    });
    const messages = events.filter((e) => e.event === 'message').map((e) => e.data as Message);
    expect(messages.map((m) => m.peer)).toEqual(expect.arrayContaining(['CMS-A', 'IdMS-A', 'MCS-A', 'GMS-A']));
    expect(messages[0]).toMatchObject({ ue: 'api-alice', direction: 'out', protocol: 'HTTP', peer: 'CMS-A' });
    expect(messages[0]!.summary).toMatch(/^GET \/xcap-root\/org\.3gpp\.mcptt\.ue-init-config\/users\/api-alice\/api-alice$/);
    expect(messages.every((m, i) => i === 0 || m.seq > messages[i - 1]!.seq)).toBe(true);
    expect(messages.find((m) => m.summary.startsWith('SUBSCRIBE sip:cms@'))!.headers['content-type']).toMatch(/^multipart\/mixed/);
    const stored = await get<Message[]>('/api/ues/api-alice/messages?since=0');
    expect(stored.length).toBeGreaterThanOrEqual(messages.length);
  });

  it('changes the PLMN (202) and the stream shows the migration to mcx-b', async () => {
    const events = await readEvents(`${host.url}/api/events?ue=api-alice`, stable('api-alice', 'mcx-b'), async () => {
      const res = await post('/api/ues/api-alice/plmn', { plmn: '00102' });
      expect(res.status).toBe(202);
    });
    const states = events.filter((e) => e.event === 'ue').map((e) => (e.data as UeSnapshot).state);
    expect(states.at(-1)).toBe('STABLE');
    const snap = await get<UeSnapshot>('/api/ues/api-alice');
    expect([snap.system, snap.migrated, snap.plmn]).toEqual(['mcx-b', true, '00102']);
    expect(snap.history.map((h) => h.state)).toContain('MIGRATION_AUTHORIZED');
    // The counts a bench polls: STABLE in a partner system with a timed migration.
    expect(await get('/api/ues/summary?prefix=api-')).toEqual({ total: 1, states: { STABLE: 1 }, migrated: 1 });
  });

  it('serves the decrypted local copies', async () => {
    const snap = await get<UeSnapshot>('/api/ues/api-alice');
    const n = snap.documents.find((d) => d.system === 'mcx-b' && d.kind === 'user-profile')!.n;
    const res = await call(`${host.url}/api/ues/api-alice/documents/${n}`);
    expect(res.headers.get('content-type')).toContain('xml');
    expect(await res.text()).toContain('visiting-mcx-b');
  });

  it('answers errors with status and reason', async () => {
    expect((await post('/api/ues/api-alice/plmn', { plmn: 'abc' })).status).toBe(400);
    expect((await post('/api/ues', {})).status).toBe(400);
    expect((await post('/api/ues', { id: 'api-alice', user: 'alice' })).status).toBe(409);
    expect((await post('/api/ues', { user: 'mallory' })).status).toBe(400);
    expect((await call(`${host.url}/api/ues/nobody`)).status).toBe(404);
    expect((await post('/api/ues/nobody/plmn', { plmn: '00102' })).status).toBe(404);
  });

  it('creates UEs in bulk and deletes them (un-subscribing)', async () => {
    const res = await post('/api/ues/bulk', { count: 3, user: 'carol', prefix: 'bulk' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ids: ['bulk-1', 'bulk-2', 'bulk-3'] });
    await Promise.all(['bulk-1', 'bulk-2', 'bulk-3'].map((id) => host.ue(id)!.waitFor((u) => u.state === 'STABLE')));
    // At home: STABLE but not migrated; the prefix leaves api-alice (in mcx-b) out.
    expect(await get('/api/ues/summary?prefix=bulk-')).toEqual({ total: 3, states: { STABLE: 3 }, migrated: 0 });
    const removed = await readEvents(`${host.url}/api/events?ue=bulk-1`, (ev) => ev.some((e) => e.event === 'removed'), async () => {
      expect((await call(`${host.url}/api/ues/bulk-1`, { method: 'DELETE' })).status).toBe(204);
    });
    expect(removed.at(-1)).toEqual({ event: 'removed', data: { id: 'bulk-1' } });
    expect((await call(`${host.url}/api/ues/bulk-1`)).status).toBe(404);
  });
});

describe('versions (TS 23.280 10.1.4) and at-rest protection', () => {
  it('get-with-version: every copy is already synchronized (304)', async () => {
    const ue = host.ue('bulk-2')!;
    const res = await post('/api/ues/bulk-2/sync', {});
    const body = (await res.json()) as { results: { selector: string; status: number }[] };
    expect(body.results.length).toBe(ue.copies.list('mcx-a').length);
    expect(body.results.every((r) => r.status === 304)).toBe(true);
  });

  it('upload of user data is a conditional PUT: 200 with a new version, then 412 when the UE holds an old one', async () => {
    const ue = host.ue('bulk-2')!;
    const sel = `org.3gpp.mcptt.user-profile/users/${mcpttIdOf('carol')}/mcptt-user-profile-1.xml`;
    const before = ue.copies.get('mcx-a', 'cms', sel)!;
    const local = await ue.copies.read(before);
    const profile = parseUserProfile(local.ok ? local.copy.body : '');
    profile.name = [{ value: 'Carol (uploaded by the UE)' }];
    const res = await post('/api/ues/bulk-2/upload', { selector: sel, xml: serializeUserProfile(profile) });
    const up = (await res.json()) as { status: number; etag: string };
    expect(up.status).toBe(200);
    expect(up.etag).toBe(sys.a.cms.store.peek(sel)!.etag);
    expect(sys.a.cms.store.peek(sel)!.body).toContain('Carol (uploaded by the UE)');
    // A UE holding an older version (e.g. the other UE of carol before its NOTIFY): 412, never a lost update.
    await ue.copies.save('mcx-a', 'cms', sel, before.etag, local.ok ? local.copy.body : '', 'application/vnd.3gpp.mcptt-user-profile+xml');
    const stale = await ue.upload(sel, serializeUserProfile(profile));
    expect([stale.status, stale.refetched]).toEqual([412, true]);
    expect(ue.copies.get('mcx-a', 'cms', sel)!.etag).toBe(sys.a.cms.store.peek(sel)!.etag);
  });

  it('uploads its newer copy when the server asks for it (MCX-Upload-Requested)', async () => {
    const ue = host.ue('bulk-3')!;
    const sel = `org.3gpp.mcptt.user-profile/users/${mcpttIdOf('carol')}/mcptt-user-profile-1.xml`;
    await ue.waitFor((u) => u.copies.get('mcx-a', 'cms', sel)?.etag === sys.a.cms.store.peek(sel)!.etag);
    const local = await ue.copies.read(ue.copies.get('mcx-a', 'cms', sel)!);
    const profile = parseUserProfile(local.ok ? local.copy.body : '');
    profile.name = [{ value: 'Carol (edited offline on the device)' }];
    // An offline edit on the device: a version the server never issued, with a higher version number.
    await ue.copies.save('mcx-a', 'cms', sel, 'device-edit-1', serializeUserProfile(profile), 'application/vnd.3gpp.mcptt-user-profile+xml', 999);
    const results = await ue.sync();
    const r = results.find((x) => x.selector === sel)!;
    expect(r.status).toBe(200);
    expect(r.uploaded?.status).toBe(200);
    expect(sys.a.cms.store.peek(sel)!.body).toContain('edited offline on the device');
  });

  it('detects a tampered local copy and fetches the document again', async () => {
    const ue = host.ue('bulk-3')!;
    const sel = `org.3gpp.mcptt.ue-config/users/${mcpttIdOf('carol')}/ue-config.xml`;
    const meta = ue.copies.get('mcx-a', 'cms', sel)!;
    tamperWith(ue.copies.store, 'mcx-a', `cms:${sel}`, (bytes) => {
      bytes[40]! ^= 0xff;
      return bytes;
    });
    expect(await ue.copies.read(meta)).toEqual({ ok: false, reason: 'tampered' });
    const n = ue.snapshot().documents.find((d) => d.selector === sel)!.n;
    expect((await call(`${host.url}/api/ues/bulk-3/documents/${n}`)).status).toBe(422);
    const results = await ue.sync();
    expect(results.find((x) => x.selector === sel)!.status).toBe(200);
    const again = await ue.copies.read(ue.copies.get('mcx-a', 'cms', sel)!);
    expect(again.ok && again.copy.body).toContain('mcptt-UE-configuration');
    expect(ue.history.length > 0 && ue.lastEvent).toBeTruthy();
  });

  it('a tampered user profile is detected when a NOTIFY needs it, and re-fetched', async () => {
    const ue = host.ue('api-alice')!; // in mcx-b
    const meta = ue.copies.get('mcx-b', 'cms', profileInB(1))!;
    tamperWith(ue.copies.store, 'mcx-b', `cms:${profileInB(1)}`, (bytes) => {
      bytes[bytes.length - 1]! ^= 0x01;
      return bytes;
    });
    const current = sys.b.cms.store.peek(profileInB(1))!;
    expect(meta.etag).toBe(current.etag);
    const profile = parseUserProfile(current.body);
    profile.name = [{ value: 'edited while the copy was tampered' }];
    await sys.b.cms.store.put(profileInB(1), serializeUserProfile(profile), { contentType: 'application/vnd.3gpp.mcptt-user-profile+xml', cause: 'admin' });
    const newEtag = sys.b.cms.store.peek(profileInB(1))!.etag;
    await ue.waitFor((u) => u.copies.get('mcx-b', 'cms', profileInB(1))?.etag === newEtag);
    const r = await ue.copies.read(ue.copies.get('mcx-b', 'cms', profileInB(1))!);
    expect(r.ok && r.copy.body).toContain('edited while the copy was tampered');
    expect(host.log.since('api-alice').some((m) => m.direction === 'out' && m.summary.startsWith(`GET /xcap-root/${profileInB(1)}`) && m.peer === 'CMS-B')).toBe(true);
  });
});
