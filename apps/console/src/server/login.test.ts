// The console's login over real HTTP (login.ts): no /api route without a session or the bearer
// secret, the token link and the form log in with an HttpOnly SameSite=Strict cookie, cookie-borne
// requests from another origin are refused (CSRF), no CORS grant anywhere, and the UE host proxy
// presents the control secret upstream. The admin access and the UE host are recording stand-ins.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsole, type ConsoleHandle } from './index.ts';

const SECRET = 'lab-control-secret-for-the-console-test';
const SELECTOR = 'org.3gpp.mcptt.user-profile/users/sip:bob@mcx-a.example.net/mcptt-user-profile-1.xml';

let consoleHandle: ConsoleHandle;
let ueHost: Server;
let uiDir: string;
const adminCalls: string[] = [];
const upstream: { method: string; url: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  uiDir = mkdtempSync(join(tmpdir(), 'mcx-console-ui-'));
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(uiDir, 'app.js'), 'console.log(1)');
  ueHost = createServer((req, res) => {
    upstream.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  await new Promise<void>((r) => ueHost.listen(0, '127.0.0.1', r));
  consoleHandle = await startConsole({
    ueHostUrl: `http://127.0.0.1:${(ueHost.address() as AddressInfo).port}`,
    controlToken: SECRET,
    uiDir,
    systems: [{ id: 'mcx-a', name: 'A', role: 'primary', plmns: ['00101'], domain: 'mcx-a.example.net' }],
    health: async () => [],
    admin: {
      async get(system, selector) {
        adminCalls.push(`GET ${system} ${selector}`);
        return { selector, body: '<x/>', etag: 'e1', version: 1 };
      },
      async put(system, selector, body, etag) {
        adminCalls.push(`PUT ${system} ${selector} ${etag}`);
        return { selector, body, etag: 'e2', version: 2 };
      },
    },
  });
});

afterAll(async () => {
  await consoleHandle?.close();
  await new Promise<void>((r) => ueHost.close(() => r()));
  rmSync(uiDir, { recursive: true, force: true });
});

const url = (path: string) => `${consoleHandle.url}${path}`;
const documentPath = `/api/admin/mcx-a/document?selector=${encodeURIComponent(SELECTOR)}`;
const putDocument = (headers: Record<string, string>) =>
  fetch(url(documentPath), { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ body: '<x/>', etag: 'e1' }) });

/** Logs in with the token link; the session cookie (name=value). */
async function logIn(): Promise<string> {
  const res = await fetch(url(`/?token=${encodeURIComponent(SECRET)}`), { redirect: 'manual' });
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

describe('console login', () => {
  it('refuses /api/admin GET and PUT without a session: 401 JSON with a Bearer challenge, nothing reaches the admin API', async () => {
    adminCalls.length = 0;
    for (const res of [await fetch(url(documentPath)), await putDocument({ origin: consoleHandle.url })]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mcx-console"');
      expect(await res.json()).toEqual({ error: 'unauthorized', error_description: expect.any(String) });
    }
    for (const headers of [{ cookie: 'mcx-console-session=forged' }, { authorization: 'Bearer wrong' }, { authorization: `Basic ${SECRET}` }] as Record<string, string>[]) {
      const res = await fetch(url(documentPath), { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="mcx-console", error="invalid_token"');
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    }
    expect((await fetch(url('/api/systems'))).status).toBe(401);
    expect((await fetch(url('/api/ue/api/ues'))).status).toBe(401);
    expect(adminCalls).toEqual([]);
  });

  it('the token link sets an HttpOnly SameSite=Strict session cookie and redirects to the page without the token', async () => {
    const res = await fetch(url(`/?token=${encodeURIComponent(SECRET)}`), { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(res.headers.get('set-cookie')).toMatch(/^mcx-console-session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    const wrong = await fetch(url('/?token=not-the-secret'), { redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('<form method="post" action="/login">');
  });

  it('sends the page to the login form without a session, and serves it with one', async () => {
    const page = await fetch(url('/'), { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login');
    expect(await (await fetch(url('/login'))).text()).toContain('name="token"');
    const cookie = await logIn();
    const served = await fetch(url('/'), { headers: { cookie } });
    expect(served.status).toBe(200);
    expect(await served.text()).toContain('<title>console</title>');
  });

  it('the login form logs in from the same origin only', async () => {
    const form = (origin: string, token: string) =>
      fetch(url('/login'), { method: 'POST', redirect: 'manual', headers: { origin, 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(token)}` });
    const ok = await form(consoleHandle.url, SECRET);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('set-cookie')).toMatch(/^mcx-console-session=/);
    expect((await form(consoleHandle.url, 'wrong')).status).toBe(401);
    // A browser's same-origin form post may say `Origin: null` (RFC 6454 clause 7.3); its fetch metadata decides.
    const browser = await fetch(url('/login'), { method: 'POST', redirect: 'manual', headers: { origin: 'null', 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(SECRET)}` });
    expect(browser.status).toBe(303);
    expect((await fetch(url('/login'), { method: 'POST', redirect: 'manual', headers: { origin: 'null', 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${encodeURIComponent(SECRET)}` })).status).toBe(403);
    expect((await form('http://evil.example', SECRET)).status).toBe(403);
  });

  it('admits /api/admin GET and a same-origin PUT with the session cookie', async () => {
    adminCalls.length = 0;
    const cookie = await logIn();
    const got = await fetch(url(documentPath), { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ selector: SELECTOR, etag: 'e1' });
    const put = await putDocument({ cookie, origin: consoleHandle.url, 'sec-fetch-site': 'same-origin' });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ etag: 'e2' });
    expect(adminCalls).toEqual([`GET mcx-a ${SELECTOR}`, `PUT mcx-a ${SELECTOR} e1`]);
  });

  it('refuses a cookie-borne request from another origin (CSRF): cross-origin POST/PUT, no Origin, cross-site fetch metadata', async () => {
    const cookie = await logIn();
    adminCalls.length = 0;
    upstream.length = 0;
    const refused = [
      await putDocument({ cookie, origin: 'http://evil.example' }),
      await putDocument({ cookie, origin: 'http://127.0.0.1:1' }),
      await putDocument({ cookie }),
      await putDocument({ cookie, 'sec-fetch-site': 'same-site' }),
      await fetch(url('/api/ue/api/ues/ue-alice/plmn'), { method: 'POST', headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/json' }, body: '{"plmn":"00102"}' }),
      await fetch(url('/api/ue/api/ues/ue-alice/plmn'), { method: 'POST', headers: { cookie, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' }, body: '{"plmn":"00102"}' }),
      await fetch(url(documentPath), { headers: { cookie, 'sec-fetch-site': 'cross-site' } }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: 'forbidden' });
    }
    expect(adminCalls).toEqual([]);
    expect(upstream).toEqual([]);
  });

  it('admits the bearer secret (scripts) and proxies the UE host API with the control secret', async () => {
    upstream.length = 0;
    const res = await fetch(url('/api/ue/api/ues'), { headers: { authorization: `Bearer ${SECRET}` } });
    expect(res.status).toBe(200);
    const cookie = await logIn();
    const post = await fetch(url('/api/ue/api/ues/ue-alice/plmn'), { method: 'POST', headers: { cookie, origin: consoleHandle.url, 'content-type': 'application/json' }, body: '{"plmn":"00102"}' });
    expect(post.status).toBe(200);
    expect(upstream).toEqual([
      { method: 'GET', url: '/api/ues', authorization: `Bearer ${SECRET}` },
      { method: 'POST', url: '/api/ues/ue-alice/plmn', authorization: `Bearer ${SECRET}` },
    ]);
  });

  it('grants CORS to no one: no Access-Control-Allow-Origin on any answer, preflights included', async () => {
    const cookie = await logIn();
    const answers = [
      await fetch(url(documentPath), { headers: { cookie, origin: 'http://evil.example' } }),
      await fetch(url(documentPath), { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'PUT' } }),
      await fetch(url('/api/ue/api/ues'), { method: 'OPTIONS', headers: { cookie, origin: 'http://evil.example', 'access-control-request-method': 'POST' } }),
      await fetch(url('/healthz'), { headers: { origin: 'http://evil.example' } }),
    ];
    for (const res of answers) {
      await res.arrayBuffer();
      expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
    expect(answers[1]!.status).toBe(401);
    expect(answers[2]!.status).toBe(403);
  });
});
