/**
 * Third-party peers against both MC systems, all over HTTPS with the lab CA (TS 24.484 4.2.2.1.2:
 * the UE contacts the IdMS at "the HTTPS URI stored in the MCS UE initial configuration document"):
 *  - openid-client (with its own fetch trusting only the lab CA, explicitly) against both IdMSs:
 *    discovery, authorization code + PKCE, the two-step partner token (RFC 8693 at the primary
 *    IdMS, TS 33.180 B.7, then at the partner IdMS), userinfo, introspection (RFC 7662),
 *    revocation (RFC 7009);
 *  - Debian's sipp against the CMS and the GMS of both systems over UDP and TCP: subscribe,
 *    change NOTIFY, refresh, un-subscribe (RFC 6665 / RFC 5875), and the 403 / 489 / 481 refusals;
 *    every NOTIFY body sipp received is validated by libxml2 (xmllint-wasm, any diagnostic fails)
 *    against the xcap-diff schema (RFC 5874 clause 7 with the RFC 5261 patch operation types);
 *  - curl as an RFC 4825 client with --cacert: GET, 304, HEAD with the GET's Content-Length
 *    (RFC 9110 8.6), PUT with If-Match, 412 on a stale one; every served document validated by
 *    libxml2 against the schemas in libs/schemas/xsd.
 * Interop tier: not part of `npm test`; `npm run test:interop` runs it (sipp and curl on PATH).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginWithPkce, refreshForResource } from '@mcx/auth';
import { startCms } from '@mcx/cms';
import { mcpttIdOf } from '@mcx/ecosystem';
import { groupSelector, startGms } from '@mcx/gms';
import { startIdms } from '@mcx/idms';
import { fetchWith, labCaDispatcher } from '@mcx/lab-ca';
import { freeLocalPort, idmsClientId, introspectionSecret, labEcosystem, startMcSystems, testDatabaseSetting, UE_CLIENT, type McSystems } from '@mcx/mc-system';
import { validateXml, XCAP_DIFF_XSD } from '@mcx/schemas';

const here = path.dirname(fileURLToPath(import.meta.url));
const SIPP = process.env.SIPP ?? 'sipp';
const CURL = process.env.CURL ?? 'curl';
const SERVERS = { idms: startIdms, cms: startCms, gms: startGms };
type Systems = McSystems<typeof SERVERS>;

/** Per system: the user homed there, that user's group (which it administers), the password. */
const HOMED = {
  'mcx-a': { user: 'alice', password: 'alice-secret', group: 'fire-a' },
  'mcx-b': { user: 'dave', password: 'dave-secret', group: 'rescue-b' },
} as const;
type SystemId = keyof typeof HOMED;

/** The schema (libs/schemas/xsd) of each document type the CMS serves; others are checked for well-formedness. */
const SCHEMA_OF: Record<string, string> = {
  'application/vnd.3gpp.mcptt-user-profile+xml': 'rel13/mcptt-user-profile.xsd',
  'application/vnd.3gpp.mcptt-ue-init-config+xml': 'rel13/ue-init-config.xsd',
  'application/vnd.3gpp.mcptt-ue-config+xml': 'rel13/ue-config.xsd',
  'application/vnd.3gpp.mcptt-service-config+xml': 'rel13/Servconf.xsd',
  'application/xcap-caps+xml': 'ietf/xcap-caps.xsd',
  'application/xcap-error+xml': 'ietf/xcap-error.xsd',
};

let systems: Systems;
let dir: string;
/** openid-client's own HTTP client: trusts the public roots and the lab CA, nothing else. */
let labFetch: typeof fetch;

beforeAll(async () => {
  systems = await startMcSystems({
    ecosystem: labEcosystem(),
    servers: SERVERS,
    database: testDatabaseSetting(),
    throwAwayDatabases: true,
    ephemeralPorts: true,
    scryptCost: 1024,
  });
  labFetch = fetchWith(labCaDispatcher(systems.labCa.caPem));
  dir = await mkdtemp(path.join(tmpdir(), 'mcx-peers-'));
});
afterAll(async () => {
  await systems?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const sys = (id: SystemId) => systems.system(id);
const mcpttId = (user: string) => mcpttIdOf(systems.ecosystem, systems.ecosystem.users.find((u) => u.username === user)!);
/** How many subscriptions the server holds now. */
const subscriptionCount = (id: SystemId, server: 'cms' | 'gms') => (server === 'cms' ? sys(id).cms.subscriptionProxy.size : sys(id).gms.subscriptions().length);
const profileSelector = (user: string) => `org.3gpp.mcptt.user-profile/users/${mcpttId(user)}/mcptt-user-profile-1.xml`;

function run(cmd: string, args: string[], timeout = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: dir, timeout, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** Waits until the server holds the sipp subscription; fails with sipp's trace if sipp ended first. */
async function subscribed(check: () => boolean, sippRun: Promise<{ code: number; stdout: string; trace: string }>): Promise<void> {
  let ended: { code: number; stdout: string; trace: string } | undefined;
  void sippRun.then((r) => (ended = r));
  while (!check()) {
    if (ended) throw new Error(`sipp ended (${ended.code}) before the server held its subscription:\n${ended.stdout.slice(-1500)}\n${ended.trace.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function discover(id: SystemId): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(sys(id).idms.issuer), UE_CLIENT.clientId, { token_endpoint_auth_method: 'none' }, oidc.None(), {
    [oidc.customFetch]: labFetch as unknown as oidc.CustomFetch,
  });
}

/** The login a UE does (authorization code + PKCE through the IdMS login form), token for `resource`. */
async function tokenFor(id: SystemId, resource: 'cms' | 'gms'): Promise<string> {
  const { user, password } = HOMED[id];
  const configuration = await discover(id);
  const login = await loginWithPkce({ issuer: sys(id).idms.issuer, clientId: UE_CLIENT.clientId, redirectUri: UE_CLIENT.redirectUri, username: user, password, configuration, fetch: labFetch });
  const narrowed = await refreshForResource({ issuer: sys(id).idms.issuer, clientId: UE_CLIENT.clientId, refreshToken: login.refreshToken!, resource: sys(id).audiences[resource] });
  return narrowed.accessToken;
}

// ---------------------------------------------------------------------------------------------
describe('openid-client against both IdMSs over https', () => {
  it.each(['mcx-a', 'mcx-b'] as const)('%s: discovery over https advertises https endpoints only, code + PKCE S256', async (id) => {
    const config = await discover(id);
    const meta = config.serverMetadata();
    expect(meta.issuer).toBe(sys(id).endpoints.idms.issuer);
    expect(meta.issuer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint', 'introspection_endpoint', 'revocation_endpoint'] as const) {
      expect(meta[k], k).toMatch(/^https:\/\//);
    }
    expect(meta.code_challenge_methods_supported).toContain('S256');
    // Without the lab CA the same discovery is refused by TLS (verification is on).
    await expect(oidc.discovery(new URL(meta.issuer), UE_CLIENT.clientId, undefined, oidc.None(), { [oidc.customFetch]: fetchWith(labCaDispatcher()) as unknown as oidc.CustomFetch })).rejects.toThrow();
  });

  it('code + PKCE at the primary, the partner token in two steps (primary then partner exchange), userinfo, introspection, revocation', async () => {
    const a = await discover('mcx-a');
    const b = await discover('mcx-b');
    const login = await loginWithPkce({ issuer: a.serverMetadata().issuer, clientId: UE_CLIENT.clientId, redirectUri: UE_CLIENT.redirectUri, username: 'alice', password: 'alice-secret', configuration: a, fetch: labFetch });
    expect(login.idToken).toBeTruthy();

    // userinfo at the primary (OpenID Connect Core 5.3)
    const sub = JSON.parse(Buffer.from(login.idToken!.split('.')[1]!, 'base64url').toString())['sub'] as string;
    const info = await oidc.fetchUserInfo(a, login.accessToken, sub);
    expect(info['mcptt_id']).toBe(mcpttId('alice'));

    // Step 1 (TS 33.180 B.7): RFC 8693 token exchange at the PRIMARY IdMS, audience = the partner IdMS.
    const forPartner = await oidc.genericGrantRequest(a, 'urn:ietf:params:oauth:grant-type:token-exchange', {
      subject_token: login.accessToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: b.serverMetadata().issuer,
    });
    expect(forPartner.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
    const claims = JSON.parse(Buffer.from(forPartner.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect([claims['iss'], claims['aud']].flat()).toEqual(expect.arrayContaining([a.serverMetadata().issuer, b.serverMetadata().issuer]));

    // Step 2: the partner IdMS exchanges it for its own access token (it checks revocation at A over https).
    const partner = await oidc.genericGrantRequest(b, 'urn:ietf:params:oauth:grant-type:token-exchange', {
      subject_token: forPartner.access_token,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    const partnerClaims = JSON.parse(Buffer.from(partner.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(partnerClaims['iss']).toBe(b.serverMetadata().issuer);

    // Introspection (RFC 7662) at A by B's IdMS client (a confidential client, client_secret_basic).
    const idmsB = { id: 'mcx-b', adminToken: sys('mcx-b').admin.token };
    const idmsA = { id: 'mcx-a', adminToken: sys('mcx-a').admin.token };
    const asB = await oidc.discovery(new URL(a.serverMetadata().issuer), idmsClientId('mcx-b'), undefined, oidc.ClientSecretBasic(introspectionSecret(idmsB, idmsA)), {
      [oidc.customFetch]: labFetch as unknown as oidc.CustomFetch,
    });
    expect((await oidc.tokenIntrospection(asB, login.accessToken)).active).toBe(true);
    expect((await oidc.tokenIntrospection(asB, login.refreshToken!)).active).toBe(true);

    // Revocation (RFC 7009) of the refresh token by the UE's public client, then introspection says inactive.
    await oidc.tokenRevocation(a, login.refreshToken!);
    expect((await oidc.tokenIntrospection(asB, login.refreshToken!)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(a, login.refreshToken!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

// ---------------------------------------------------------------------------------------------
/** The bodies of the NOTIFYs in a sipp message trace, in order. */
function notifyBodies(trace: string): string[] {
  const bodies: string[] = [];
  for (const chunk of trace.split(/^-{20,}.*$/m)) {
    if (!/message received/.test(chunk)) continue;
    const message = chunk.slice(chunk.indexOf('NOTIFY '));
    if (!/^NOTIFY /.test(message)) continue;
    const [head, ...rest] = message.split(/\r?\n\r?\n/);
    const length = Number(/^Content-Length:\s*(\d+)/im.exec(head ?? '')?.[1] ?? '0');
    const body = rest.join('\n\n').trim();
    if (length > 0) bodies.push(body);
  }
  return bodies;
}

async function sipp(scenario: string, server: 'cms' | 'gms', id: SystemId, transport: 'udp' | 'tcp', fields: string): Promise<{ code: number; stdout: string; trace: string; tag: string }> {
  const tag = `${id}-${server}-${transport}-${scenario}`;
  const csv = path.join(dir, `${tag}.csv`);
  await writeFile(csv, `SEQUENTIAL\n${fields}\n`);
  const trace = path.join(dir, `${tag}.log`);
  const h = sys(id)[server];
  const port = /:(\d+)(;|$)/.exec(h.sipUri)![1]!;
  const r = await run(SIPP, [
    `127.0.0.1:${port}`, '-sf', path.join(here, 'sipp', `${scenario}.xml`), '-inf', csv,
    '-i', '127.0.0.1', '-p', String(await freeLocalPort('127.0.0.1', true)), '-t', transport === 'udp' ? 'u1' : 't1',
    '-m', '1', '-timeout', '25', '-timeout_error', '-nostdin', '-trace_msg', '-message_file', trace,
  ]);
  return { ...r, tag, trace: await readFile(trace, 'utf8').catch(() => '') };
}

describe.each(['udp', 'tcp'] as const)('sipp over %s', (transport) => {
  describe.each(['mcx-a', 'mcx-b'] as const)('%s', (id) => {
    it('CMS: subscribe, change NOTIFY, refresh, un-subscribe; every NOTIFY body valid against the xcap-diff schema for libxml2, with a relative sel', async () => {
      const { user } = HOMED[id];
      const token = await tokenFor(id, 'cms');
      const cms = sys(id).cms;
      const selector = profileSelector(user);
      const before = subscriptionCount(id, 'cms');
      const running = sipp('xcap-diff-lifecycle', 'cms', id, transport, `${token};${selector};cms;`);
      await subscribed(() => subscriptionCount(id, 'cms') > before, running);
      // The change: the operator edits the profile through the admin API (If-Match the current ETag).
      const adminUrl = `${cms.httpUrl}/admin/documents/${selector.split('/').map(encodeURIComponent).join('/')}`;
      const auth = { authorization: `Bearer ${sys(id).admin.token}` };
      const current = (await (await fetch(adminUrl, { headers: auth })).json()) as { etag: string; body: string };
      const edited = current.body.replace(/<ProfileName([^>]*)>([^<]*)<\/ProfileName>/, `<ProfileName$1>$2 (${transport})</ProfileName>`);
      expect(edited).not.toBe(current.body);
      const put = await fetch(adminUrl, { method: 'PUT', headers: { ...auth, 'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml', 'if-match': `"${current.etag}"` }, body: edited });
      expect(put.status, await put.clone().text()).toBeLessThan(300);
      const { code, stdout, trace } = await running;
      expect(code, `sipp failed:\n${stdout.slice(-2000)}\n${trace.slice(-6000)}`).toBe(0);
      const bodies = notifyBodies(trace);
      expect(bodies.length).toBeGreaterThanOrEqual(3);
      for (const body of bodies) {
        const v = await validateXml(body, XCAP_DIFF_XSD);
        expect(v.errors, body).toEqual([]);
        expect(body).not.toMatch(/sel="[a-z]+:\/\//);
      }
      // The check is real: a <document> without its required sel fails it.
      const noSel = await validateXml(bodies[0]!.replace(/(<document[^>]*?) sel="[^"]*"/, '$1'), XCAP_DIFF_XSD);
      expect(noSel.errors.join('\n')).toContain("The attribute 'sel' is required");
    });

    it('GMS: subscribe, change NOTIFY, refresh, un-subscribe; every NOTIFY body valid against the xcap-diff schema for libxml2', async () => {
      const { user, group } = HOMED[id];
      const token = await tokenFor(id, 'gms');
      const gms = sys(id).gms;
      const groupId = `sip:${group}@${sys(id).config.domain}`;
      const before = gms.subscriptions().length;
      const running = sipp('xcap-diff-lifecycle', 'gms', id, transport, `${token};${groupSelector(groupId)};gms;`);
      await subscribed(() => gms.subscriptions().length > before, running);
      // The change: the operator adds a member through the GMS admin API.
      const newcomer = `sip:sipp-${transport}@${sys(id).config.domain}`;
      const add = await fetch(`${gms.adminUrl}/groups/${encodeURIComponent(group)}/members/${encodeURIComponent(newcomer)}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${sys(id).admin.token}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(add.status, await add.clone().text()).toBe(200);
      const { code, stdout, trace } = await running;
      expect(code, `sipp failed (${user}):\n${stdout.slice(-2000)}\n${trace.slice(-6000)}`).toBe(0);
      const bodies = notifyBodies(trace);
      expect(bodies.length).toBeGreaterThanOrEqual(3);
      for (const body of bodies) expect((await validateXml(body, XCAP_DIFF_XSD)).errors, body).toEqual([]);
    });

    it.each(['cms', 'gms'] as const)('%s: refuses a forged token (403), another event package (489), an unknown dialog (481), and keeps no subscription', async (server) => {
      const uri = server === 'cms' ? profileSelector(HOMED[id].user) : groupSelector(`sip:${HOMED[id].group}@${sys(id).config.domain}`);
      const before = subscriptionCount(id, server);
      const { code, stdout, trace } = await sipp('refusals', server, id, transport, `-;${uri};${server};`);
      expect(code, `sipp failed:\n${stdout.slice(-2000)}\n${trace.slice(-4000)}`).toBe(0);
      expect(subscriptionCount(id, server)).toBe(before);
    });
  });
});

// ---------------------------------------------------------------------------------------------
interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function curl(url: string, args: string[] = []): Promise<CurlResult> {
  const out = path.join(dir, `curl-${Math.random().toString(36).slice(2)}.body`);
  const r = await run(CURL, ['-sS', '--cacert', systems.labCa.caPath, '-D', '-', '-o', out, ...args, url]);
  expect(r.code, r.stderr).toBe(0);
  const blocks = r.stdout.split(/\r?\n\r?\n/).filter((b) => /^HTTP\//.test(b));
  const last = blocks[blocks.length - 1] ?? '';
  const [statusLine, ...lines] = last.split(/\r?\n/);
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: await readFile(out, 'utf8').catch(() => '') };
}

describe.each(['mcx-a', 'mcx-b'] as const)('curl as an RFC 4825 client of %s over https (--cacert, the lab CA)', (id) => {
  it('without the CA curl refuses the server certificate (verification is on)', async () => {
    const r = await run(CURL, ['-sS', '-o', '/dev/null', `${sys(id).cms.xcapRoot}/xcap-caps/global/index`]);
    expect(r.code).toBe(60);
  });

  it('CMS: GET the user profile, 304 on its ETag, HEAD with the GET body length; every document it serves validates', async () => {
    const token = await tokenFor(id, 'cms');
    const bearer = ['-H', `authorization: Bearer ${token}`];
    const url = `${sys(id).cms.xcapRoot}/${profileSelector(HOMED[id].user)}`;
    const get = await curl(url, bearer);
    expect(get.status).toBe(200);
    expect((await validateXml(get.body, SCHEMA_OF[get.headers['content-type']!.split(';')[0]!]!)).errors).toEqual([]);
    const notModified = await curl(url, [...bearer, '-H', `if-none-match: ${get.headers['etag']}`]);
    expect(notModified.status).toBe(304);
    const head = await curl(url, [...bearer, '-I']);
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(get.body));
    const caps = await curl(`${sys(id).cms.xcapRoot}/xcap-caps/global/index`);
    expect(caps.status).toBe(200);
    expect((await validateXml(caps.body, 'ietf/xcap-caps.xsd')).errors).toEqual([]);

    // Every document the CMS holds, as its admin API serves it, validates against its schema;
    // the UE initial configuration carries https URIs only.
    const auth = ['-H', `authorization: Bearer ${sys(id).admin.token}`];
    const list = JSON.parse((await curl(`${sys(id).cms.httpUrl}/admin/documents`, auth)).body) as { selector: string; contentType: string }[];
    expect(list.length).toBeGreaterThan(0);
    for (const d of list) {
      const doc = JSON.parse((await curl(`${sys(id).cms.httpUrl}/admin/documents/${d.selector.split('/').map(encodeURIComponent).join('/')}`, auth)).body) as { body: string };
      const schema = SCHEMA_OF[d.contentType.split(';')[0]!];
      expect((await validateXml(doc.body, schema)).errors, `${d.selector}`).toEqual([]);
      if (/ue-init-config/.test(d.contentType)) {
        expect(doc.body).toContain(sys(id).idms.issuer);
        expect(doc.body).not.toMatch(/http:\/\/127\.0\.0\.1/);
      }
    }
  });

  it('GMS: GET, PUT with If-Match (200, new ETag), 412 on the stale ETag (nothing changed), 304, HEAD length', async () => {
    const token = await tokenFor(id, 'gms');
    const bearer = ['-H', `authorization: Bearer ${token}`];
    const url = `${sys(id).gms.xcapRoot}/${groupSelector(`sip:${HOMED[id].group}@${sys(id).config.domain}`)}`;
    const get = await curl(url, bearer);
    expect(get.status, get.body).toBe(200);
    expect((await validateXml(get.body)).errors).toEqual([]);
    const edited = get.body.replace(/<display-name([^>]*)>([^<]*)<\/display-name>/, '<display-name$1>$2 (curl)</display-name>');
    expect(edited).not.toBe(get.body);
    const bodyFile = path.join(dir, `${id}-group.xml`);
    await writeFile(bodyFile, edited);
    const put = await curl(url, [...bearer, '-X', 'PUT', '-H', `if-match: ${get.headers['etag']}`, '-H', 'content-type: application/vnd.oma.poc.groups+xml', '--data-binary', `@${bodyFile}`]);
    expect(put.status, put.body).toBeLessThan(300);
    expect(put.headers['etag']).not.toBe(get.headers['etag']);
    const stale = await curl(url, [...bearer, '-X', 'PUT', '-H', `if-match: ${get.headers['etag']}`, '-H', 'content-type: application/vnd.oma.poc.groups+xml', '--data-binary', `@${bodyFile}`]);
    expect(stale.status).toBe(412);
    // Nothing changed by the refused PUT: the PUT's ETag is still current.
    const after = await curl(url, [...bearer, '-H', `if-none-match: ${put.headers['etag']}`]);
    expect(after.status).toBe(304);
    const head = await curl(url, [...bearer, '-I']);
    const full = await curl(url, bearer);
    expect(full.body).toContain('(curl)');
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(full.body));
  });
});
