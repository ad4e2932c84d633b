/**
 * `mcx bench xcap [--vs kamailio]` (prints JSON): conditional GETs (`If-None-Match` with the
 * current ETag, answered 304, RFC 4825 clause 7.11 / RFC 9110 clause 13.1.2) of a 50 KB MCPTT
 * user profile through the CMS, with the authentication it does in production: a bearer access
 * token (TS 24.482 annex A) from an OpenID issuer, verified with the issuer's JWKS and cached
 * until it expires (src/csc4-xcap/authentication.ts).
 *
 * With `--vs kamailio` the same document is PUT into Kamailio's xcap_server too
 * (bench/kamailio-xcap.ts) and rounds alternate between the two servers with the same load
 * generator (bench/load-generator.ts: undici Pool, N keep-alive connections, fixed duration,
 * in a child process). Both are compared over plain HTTP (the CMS with `tls: false`); the CMS
 * over HTTPS (lab CA) is reported as well. The ratio is CMS requests/s over Kamailio requests/s.
 *
 * Options (or env): --connections N (BENCH_CONNECTIONS, 16), --seconds S per round
 * (BENCH_SECONDS, 5), --rounds R (BENCH_ROUNDS, 3), --kamailio-workers W (1), --no-https,
 * --profile FILE (a CPU profile of this process, i.e. the CMS, during the CMS rounds).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { MC_SCOPES } from '@mcx/auth';
import { openDatabase, type Database } from '@mcx/db';
import { throwAwayLabCa } from '@mcx/lab-ca';
import { startV8Profile } from '@mcx/v8-profile';
import { startCms, userProfileSelector, MIME, type CmsHandle } from '../src/index.ts';
import { buildSeedProfile } from '../src/seed/seed.ts';
import { KAMAILIO_AUID, startKamailio, type RunningKamailio } from './kamailio-xcap.ts';
import { runLoadInChild, type LoadResult } from './load-generator.ts';

export const BENCH_USER = 'sip:alice@bench.example.net';
/** The audience the bench CMS accepts and the bench issuer's tokens carry. */
export const AUDIENCE = 'urn:mcx:bench:cms';
const ADMIN = 'bench-admin-token';

/** A schema-valid MCPTT user profile of at least `targetBytes` (groups added until it is). */
export function largeUserProfile(mcpttId = BENCH_USER, targetBytes = 50 * 1024): string {
  let groups = 100;
  for (;;) {
    const body = buildSeedProfile(
      { mcpttId, displayName: 'Alice' },
      {
        index: 1,
        name: 'home',
        preSelected: true,
        groups: Array.from({ length: groups }, (_, i) => ({ groupId: `sip:group-${i}@bench.example.net`, displayName: `Group ${i}`, implicit: i % 7 === 0 })),
      },
      [],
    );
    if (Buffer.byteLength(body) >= targetBytes) return body;
    groups = Math.ceil(groups * 1.25);
  }
}

/** A local OpenID issuer (discovery + JWKS over HTTP) and access tokens it signs (ES256, at+jwt). */
export async function startBenchIssuer(): Promise<{ issuer: string; token(mcpttId: string): Promise<string>; close(): Promise<void> }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url === '/.well-known/openid-configuration' ? { issuer, jwks_uri: `${issuer}/jwks` } : { keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    token: (mcpttId) =>
      new SignJWT({ scope: MC_SCOPES.pttConfigManagement, mcptt_id: mcpttId, client_id: 'mcx-ue' })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'bench' })
        .setIssuer(issuer)
        .setAudience(AUDIENCE)
        .setSubject(mcpttId)
        .setIssuedAt()
        .setExpirationTime('2h')
        .sign(privateKey),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface BenchCms {
  cms: CmsHandle;
  db: Database;
  /** Path of the document below the origin, e.g. `/xcap-root/org.3gpp.mcptt.user-profile/...`. */
  path: string;
  origin: string;
  etag: string;
  close(): Promise<void>;
}

/** A CMS (plain HTTP, or HTTPS with `tls`) holding `body` as the bench user's profile 1. */
export async function startBenchCms(issuer: string, body: string, tls?: { key: string; cert: string }, ca?: string): Promise<BenchCms> {
  const dir = mkdtempSync(join(tmpdir(), 'mcx-xcap-bench-'));
  const db = await openDatabase({ dataDir: dir, name: 'bench-cms' });
  const cms = await startCms(
    { systemId: 'bench', domain: 'bench.example.net', idmsIssuer: issuer, audience: AUDIENCE, adminToken: ADMIN, shareRetryMs: 0, ...(tls ? { tls } : {}) },
    { db },
  );
  const selector = userProfileSelector(BENCH_USER, 1);
  const dispatcher = ca ? new (await import('undici')).Agent({ connect: { ca } }) : undefined;
  const put = await fetch(`${cms.httpUrl}/admin/documents/${selector}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': MIME.userProfile },
    body,
    ...(dispatcher ? { dispatcher } : {}),
  } as RequestInit);
  const text = await put.text();
  if (!put.ok) throw new Error(`CMS admin PUT of the 50 KB profile: HTTP ${put.status} ${text.slice(0, 300)}`);
  const etag = `"${cms.store.peek(selector)!.etag}"`;
  const origin = cms.httpUrl;
  return {
    cms,
    db,
    path: new URL(`${cms.xcapRoot}/${selector}`).pathname,
    origin,
    etag,
    async close() {
      await cms.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PUTs `body` into Kamailio's xcap_server; returns the document path and its ETag (quoted). */
export async function putIntoKamailio(k: RunningKamailio, token: string, body: string): Promise<{ path: string; etag: string }> {
  const path = `/xcap-root/${KAMAILIO_AUID}/users/${BENCH_USER}/mcptt-user-profile-1.xml`;
  const put = await fetch(`${k.url}${path}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/vnd.oma.user-profile+xml' }, body });
  await put.arrayBuffer();
  const etag = put.headers.get('etag');
  if (put.status !== 200 || !etag) throw new Error(`Kamailio PUT of the 50 KB document: HTTP ${put.status}`);
  return { path, etag };
}

interface Round {
  server: string;
  load: LoadResult;
  cpuMsPerRequest: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      vs: { type: 'string' },
      connections: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      'kamailio-workers': { type: 'string' },
      'no-https': { type: 'boolean' },
      profile: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const connections = Number(values.connections ?? process.env['BENCH_CONNECTIONS'] ?? 16);
  const seconds = Number(values.seconds ?? process.env['BENCH_SECONDS'] ?? 5);
  const rounds = Number(values.rounds ?? process.env['BENCH_ROUNDS'] ?? 3);
  const kamailioWorkers = Number(values['kamailio-workers'] ?? 1);
  if (values.vs !== undefined && values.vs !== 'kamailio') throw new Error('--vs takes kamailio');
  const loadavgBefore = loadavg();

  const issuer = await startBenchIssuer();
  const token = await issuer.token(BENCH_USER);
  const body = largeUserProfile();
  const http = await startBenchCms(issuer.issuer, body);
  const labCa = values['no-https'] ? undefined : await throwAwayLabCa();
  const https = labCa ? await startBenchCms(issuer.issuer, body, await labCa.serverCredentials('127.0.0.1'), labCa.caPem) : undefined;
  const kamailio = values.vs === 'kamailio' ? await startKamailio({ token, workers: kamailioWorkers }) : undefined;
  const kDoc = kamailio ? await putIntoKamailio(kamailio, token, body) : undefined;

  const results: Round[] = [];
  const cmsRound = async (name: string, cms: BenchCms, ca?: string) => {
    // The last CMS round's profile is the one left in the file.
    const profiler = values.profile ? await startV8Profile(values.profile) : undefined;
    const cpu0 = process.cpuUsage();
    const load = await runLoadInChild({
      origin: cms.origin,
      path: cms.path,
      headers: { authorization: `Bearer ${token}`, 'if-none-match': cms.etag },
      connections,
      durationMs: seconds * 1000,
      ...(ca ? { ca } : {}),
    });
    const cpu = process.cpuUsage(cpu0);
    await profiler?.stop();
    results.push({ server: name, load, cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, load.requests) });
  };
  const kamailioRound = async () => {
    const cpu0 = kamailio!.cpuMs();
    const load = await runLoadInChild({
      origin: kamailio!.url,
      path: kDoc!.path,
      headers: { authorization: `Bearer ${token}`, 'if-none-match': kDoc!.etag },
      connections,
      durationMs: seconds * 1000,
    });
    results.push({ server: 'kamailio', load, cpuMsPerRequest: (kamailio!.cpuMs() - cpu0) / Math.max(1, load.requests) });
  };
  // Warm-up (JIT, token cache, connections), not reported.
  await runLoadInChild({ origin: http.origin, path: http.path, headers: { authorization: `Bearer ${token}`, 'if-none-match': http.etag }, connections, durationMs: 1000 });
  for (let r = 0; r < rounds; r++) {
    // Alternate which server goes first so drift in the machine's load hits both.
    if (kamailio && r % 2 === 1) await kamailioRound();
    await cmsRound('cms-http', http);
    if (kamailio && r % 2 === 0) await kamailioRound();
    if (https) await cmsRound('cms-https', https, labCa!.caPem);
  }

  const summary = (server: string) => {
    const rs = results.filter((x) => x.server === server);
    if (rs.length === 0) return undefined;
    const rps = rs.map((x) => x.load.requestsPerSecond);
    const mean = rps.reduce((a, b) => a + b, 0) / rps.length;
    const statuses: Record<string, number> = {};
    for (const x of rs) for (const [k, v] of Object.entries(x.load.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    return {
      requests_per_s: Math.round(mean),
      rounds_requests_per_s: rps,
      cpu_us_per_request: Number(((rs.reduce((a, x) => a + x.cpuMsPerRequest, 0) / rs.length) * 1000).toFixed(1)),
      statuses,
      errors: rs.reduce((a, x) => a + x.load.errors, 0),
    };
  };
  const cmsHttp = summary('cms-http')!;
  const k = summary('kamailio');
  const out = {
    bench: 'xcap',
    document_bytes: Buffer.byteLength(body),
    connections,
    seconds_per_round: seconds,
    rounds,
    auth: { cms: 'bearer access token (JWT, ES256) verified against the issuer JWKS, cached until expiry', kamailio: k ? 'bearer token compared as a string in kamailio.cfg' : undefined },
    cms_http: cmsHttp,
    ...(k ? { kamailio: { ...k, workers: kamailioWorkers }, ratio_cms_http_over_kamailio: Number((cmsHttp.requests_per_s / k.requests_per_s).toFixed(2)) } : {}),
    ...(https ? { cms_https: summary('cms-https') } : {}),
    loadavg_before: loadavgBefore.map((x) => Number(x.toFixed(2))),
    loadavg_after: loadavg().map((x) => Number(x.toFixed(2))),
    ...(values.profile ? { profile: values.profile } : {}),
  };
  process.stdout.write(`${JSON.stringify(out, null, values.json ? undefined : 2)}\n`);

  await kamailio?.stop();
  await https?.close();
  await http.close();
  await issuer.close();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
