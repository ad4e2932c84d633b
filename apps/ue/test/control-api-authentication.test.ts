// The control API's authentication (docs/ue-host-api.md "Authentication") over real HTTP: every
// route but /healthz needs the control secret as a bearer token (RFC 6750 clause 2.1); a request
// without it or with a wrong one gets 401 with an RFC 6750 clause 3 challenge and a JSON problem,
// and no route grants CORS to another origin (no Access-Control-Allow-Origin, preflights included).
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUeHost, type UeHostHandle } from '../src/index.ts';

let host: UeHostHandle;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mcx-ue-auth-'));
  // No UE is started: the checks come before any MC system is needed.
  host = await startUeHost({ dataDir, systems: [{ id: 'mcx-a', cmsXcapRoot: 'http://127.0.0.1:9/xcap-root' }], users: [] });
});

afterAll(async () => {
  await host?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** One request of each route family of the contract (method, path, JSON body). */
const ROUTES: [string, string, unknown?][] = [
  ['GET', '/api/ues'],
  ['POST', '/api/ues', { user: 'mallory' }],
  ['POST', '/api/ues/bulk', { count: 1, user: 'mallory' }],
  ['POST', '/api/ues/bulk/plmn', { plmn: '00102', ids: [] }],
  ['GET', '/api/ues/nobody'],
  ['POST', '/api/ues/nobody/plmn', { plmn: '00102' }],
  ['POST', '/api/ues/nobody/upload', {}],
  ['POST', '/api/ues/nobody/sync', {}],
  ['GET', '/api/ues/nobody/documents/0'],
  ['GET', '/api/ues/nobody/messages'],
  ['DELETE', '/api/ues/nobody'],
  ['GET', '/api/events'],
  ['GET', '/api/no-such-route'],
];

const send = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
  fetch(`${host.url}${path}`, {
    method,
    headers: { origin: 'http://evil.example', ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5_000),
  });

describe('control API authentication', () => {
  it('generates the secret once in <dataDir>/control-token, readable by its owner only', () => {
    const file = join(dataDir, 'control-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(host.controlToken);
    expect(host.controlToken.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses every route family without the secret: 401, a Bearer challenge, a JSON problem, no CORS grant', async () => {
    for (const [method, path, body] of ROUTES) {
      const res = await send(method, path, body, {});
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="ue-host"');
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(await res.json()).toMatchObject({ error: 'unauthorized', detail: expect.any(String) });
    }
  });

  it('refuses every route family with a wrong secret (or another scheme): 401 invalid_token', async () => {
    for (const authorization of [`Bearer ${host.controlToken}x`, 'Bearer wrong-secret', `Basic ${host.controlToken}`, `Bearer ${host.controlToken.slice(0, -1)}`]) {
      for (const [method, path, body] of ROUTES) {
        const res = await send(method, path, body, { authorization });
        expect(res.status, `${method} ${path} with ${authorization.slice(0, 12)}…`).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="ue-host", error="invalid_token"');
        expect(await res.json()).toMatchObject({ error: 'invalid_token' });
      }
    }
  });

  it('admits the secret on every route family, still without any CORS header', async () => {
    for (const [method, path, body] of ROUTES) {
      const res = await send(method, path, body, { authorization: `Bearer ${host.controlToken}` });
      expect(res.status, `${method} ${path}`).not.toBe(401);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      if (path === '/api/events') {
        expect(res.headers.get('content-type')).toContain('text/event-stream');
        await res.body?.cancel();
      } else await res.arrayBuffer();
    }
  });

  it('grants no preflight: an OPTIONS from another origin gets no Access-Control-Allow-* header', async () => {
    for (const authorization of [undefined, `Bearer ${host.controlToken}`]) {
      const res = await fetch(`${host.url}/api/ues`, {
        method: 'OPTIONS',
        headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization', ...(authorization ? { authorization } : {}) },
      });
      await res.arrayBuffer();
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('keeps /healthz open (liveness only: no UE data)', async () => {
    const res = await fetch(`${host.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, app: 'ue-host', ues: 0 });
  });
});
