// The console server's routes for a lab operator over real HTTP: health that stops answering is
// reported down (not the last green), the users to start UEs for, a document's kept version, group
// membership add/remove passed to the GMS access, and the favicon. The systems' access functions
// are recording stand-ins (the wiring to the real admin APIs is apps/mcx's ecosystem/console.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, UpstreamError, type ConsoleHandle, type ServerHealth } from './index.ts';

const SECRET = 'lab-control-secret-for-the-admin-routes-test';
let consoleHandle: ConsoleHandle;
let uiDir: string;
let health: () => Promise<ServerHealth[]>;
const groupCalls: string[] = [];

beforeAll(async () => {
  uiDir = mkdtempSync(join(tmpdir(), 'mcx-console-ui-'));
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>console</title>');
  consoleHandle = await startConsole({
    ueHostUrl: 'http://127.0.0.1:9',
    controlToken: SECRET,
    uiDir,
    systems: [{ id: 'mcx-a', name: 'A', role: 'primary', plmns: ['00101'], domain: 'mcx-a.example.net' }],
    health: () => health(),
    users: [{ username: 'alice', home: 'mcx-a', mcpttId: 'sip:alice@mcx-a.example.net' }],
    admin: {
      get: async (_s, selector) => ({ selector, body: '<x v="2"/>', etag: 'e2', version: 2, history: [] }),
      put: async (_s, selector, body) => ({ selector, body, etag: 'e3', version: 3 }),
      async getVersion(_s, selector, version) {
        if (version !== 1) throw new UpstreamError(404, '{"error":"not_found","detail":"not kept"}');
        return { selector, body: '<x v="1"/>', etag: 'e1', version };
      },
    },
    groups: {
      list: async () => [{ groupId: 'sip:fire-1@mcx-a.example.net', displayName: 'Fire 1', members: ['sip:alice@mcx-a.example.net'] }],
      async addMember(system, groupId, mcpttId) {
        groupCalls.push(`add ${system} ${groupId} ${mcpttId}`);
      },
      async removeMember(system, groupId, mcpttId) {
        if (mcpttId === 'sip:nobody@mcx-a.example.net') throw new UpstreamError(404, '{"error":"not_found","detail":"no such member"}');
        groupCalls.push(`remove ${system} ${groupId} ${mcpttId}`);
      },
    },
  });
});
afterAll(async () => {
  await consoleHandle?.close();
  rmSync(uiDir, { recursive: true, force: true });
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${consoleHandle.url}${path}`, { ...init, headers: { authorization: `Bearer ${SECRET}`, ...(init.headers ?? {}) } });

describe('console server: what a lab operator needs', () => {
  it('reports the servers of a system whose health check stops answering as down, by name', async () => {
    health = async () => [{ name: 'CMS', url: 'http://127.0.0.1:1', up: true }];
    const first = (await (await api('/api/systems')).json()) as { servers: ServerHealth[] }[];
    expect(first[0]!.servers).toEqual([expect.objectContaining({ name: 'CMS', up: true })]);
    health = () => new Promise(() => undefined); // never answers
    const res = await api('/api/systems');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const second = (await res.json()) as { servers: ServerHealth[] }[];
    expect(second[0]!.servers).toEqual([expect.objectContaining({ name: 'CMS', up: false, detail: expect.stringMatching(/no health answer/) })]);
    health = () => Promise.reject(new Error('boom'));
    const third = (await (await api('/api/systems')).json()) as { servers: ServerHealth[] }[];
    expect(third[0]!.servers[0]!.up).toBe(false);
  });

  it('lists the ecosystem users for the UE start form', async () => {
    expect(await (await api('/api/users')).json()).toEqual([{ username: 'alice', home: 'mcx-a', mcpttId: 'sip:alice@mcx-a.example.net' }]);
    expect((await fetch(`${consoleHandle.url}/api/users`)).status).toBe(401);
  });

  it('serves a kept version, passes a 404 on with its JSON, and refuses a version that is no number', async () => {
    const sel = encodeURIComponent('org.3gpp.mcptt.user-profile/users/sip:alice@mcx-a.example.net/mcptt-user-profile-1.xml');
    expect(await (await api(`/api/admin/mcx-a/document/version?selector=${sel}&version=1`)).json()).toMatchObject({ version: 1, body: '<x v="1"/>' });
    const gone = await api(`/api/admin/mcx-a/document/version?selector=${sel}&version=7`);
    expect(gone.status).toBe(404);
    expect(JSON.parse(await gone.text())).toMatchObject({ error: 'not_found' });
    expect((await api(`/api/admin/mcx-a/document/version?selector=${sel}&version=x`)).status).toBe(400);
  });

  it('lists groups and adds/removes a member through the GMS access', async () => {
    expect(await (await api('/api/admin/mcx-a/groups')).json()).toEqual([
      { groupId: 'sip:fire-1@mcx-a.example.net', displayName: 'Fire 1', members: ['sip:alice@mcx-a.example.net'] },
    ]);
    const g = encodeURIComponent('sip:fire-1@mcx-a.example.net');
    expect((await api(`/api/admin/mcx-a/groups/${g}/members/${encodeURIComponent('sip:bob@mcx-a.example.net')}`, { method: 'PUT' })).status).toBe(204);
    expect((await api(`/api/admin/mcx-a/groups/${g}/members/${encodeURIComponent('sip:bob@mcx-a.example.net')}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/api/admin/mcx-a/groups/${g}/members/${encodeURIComponent('sip:nobody@mcx-a.example.net')}`, { method: 'DELETE' })).status).toBe(404);
    expect(groupCalls).toEqual([
      'add mcx-a sip:fire-1@mcx-a.example.net sip:bob@mcx-a.example.net',
      'remove mcx-a sip:fire-1@mcx-a.example.net sip:bob@mcx-a.example.net',
    ]);
  });

  it('serves a favicon (SVG) without a login', async () => {
    for (const path of ['/favicon.ico', '/favicon.svg']) {
      const res = await fetch(`${consoleHandle.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect(await res.text()).toMatch(/^<svg /);
    }
  });
});
