/**
 * CMS benchmark (prints JSON):
 * - conditional GETs answered 304 per second (hot path: in-memory view + token cache, no query);
 * - time from an admin edit of the service configuration shared by a group of 1,000 subscribed
 *   users to the last NOTIFY received (fan-out, no query per NOTIFY).
 * Tokens come from a local test issuer (jose keys + JWKS over real HTTP); SQLite in a temp dir.
 * Env: BENCH_USERS (default 1000), BENCH_GET_SECONDS (default 3), BENCH_GET_CONCURRENCY (default 32).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@mcx/db';
import { exampleMcSystem, mcpttInfoWithAccessToken, parseServiceConfig, resourceListsOf, serializeMcpttInfo, serializeResourceLists, serializeServiceConfig } from '@mcx/documents';
import { buildMultipart, MCPTT_INFO_CONTENT_TYPE, RESOURCE_LISTS_CONTENT_TYPE, SipEndpoint, subscribe, XCAP_DIFF_ACCEPT, XCAP_DIFF_EVENT } from '@mcx/sip';
import { SERVICE_CONFIG_SELECTOR, startCms, userProfileSelector } from '../src/index.ts';
import { AUDIENCE, startBenchIssuer } from './xcap-bench.ts';

const USERS = Number(process.env['BENCH_USERS'] ?? 1000);
const GET_SECONDS = Number(process.env['BENCH_GET_SECONDS'] ?? 3);
const CONCURRENCY = Number(process.env['BENCH_GET_CONCURRENCY'] ?? 32);
const ADMIN = 'bench-admin-token';

const benchIssuer = await startBenchIssuer();
const { issuer, token } = benchIssuer;

const dir = mkdtempSync(join(tmpdir(), 'mcx-cms-bench-'));
const db = await openDatabase({ dataDir: dir, name: 'bench-cms' });
const cms = await startCms({ systemId: 'bench', domain: 'bench.example.net', idmsIssuer: issuer, audience: AUDIENCE, adminToken: ADMIN, shareRetryMs: 0 }, { db });
const users = Array.from({ length: USERS }, (_, i) => `sip:user${i}@bench.example.net`);
const seedStart = performance.now();
await cms.seed({
  system: { ...exampleMcSystem('bench', '00101'), cms: { xcapRoot: cms.xcapRoot, sipUri: cms.psi } },
  users: users.map((mcpttId) => ({ mcpttId, profiles: [{ index: 1, name: 'home', preSelected: true, groups: [{ groupId: 'sip:everyone@bench.example.net' }] }] })),
});
const seedMs = performance.now() - seedStart;

// 1. Conditional GETs (304) per second.
const t0 = await token(users[0]!);
const url = `${cms.xcapRoot}/${userProfileSelector(users[0]!, 1)}`;
const etag = (await fetch(url, { headers: { authorization: `Bearer ${t0}` } })).headers.get('etag')!;
let gets = 0;
let non304 = 0;
const until = performance.now() + GET_SECONDS * 1000;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < until) {
      const r = await fetch(url, { headers: { authorization: `Bearer ${t0}`, 'if-none-match': etag } });
      await r.arrayBuffer();
      if (r.status === 304) gets++;
      else non304++;
    }
  }),
);
const getsPerSecond = Math.round(gets / GET_SECONDS);

// 2. 1,000 subscribers of the shared service configuration.
const endpoints = await Promise.all(Array.from({ length: 10 }, () => SipEndpoint.create({ tcp: false })));
let received = 0;
let lastAt = 0;
let expecting = false;
const initial: Promise<unknown>[] = [];
const tokens = await Promise.all(users.map(token));
for (const [i, mcpttId] of users.entries()) {
  const mp = buildMultipart([
    { contentType: RESOURCE_LISTS_CONTENT_TYPE, body: serializeResourceLists(resourceListsOf([SERVICE_CONFIG_SELECTOR, userProfileSelector(mcpttId, 1)])) },
    { contentType: MCPTT_INFO_CONTENT_TYPE, body: serializeMcpttInfo(mcpttInfoWithAccessToken(tokens[i]!)) },
  ]);
  let first = true;
  let resolveFirst!: () => void;
  initial.push(new Promise<void>((r) => (resolveFirst = r)));
  subscribe({
    endpoint: endpoints[i % endpoints.length]!,
    uri: cms.sipUri,
    from: `<${mcpttId}>`,
    event: XCAP_DIFF_EVENT,
    accept: XCAP_DIFF_ACCEPT,
    body: mp.body,
    contentType: mp.contentType,
    expires: 3600,
    resubscribe: false,
    onNotify: () => {
      if (first) {
        first = false;
        resolveFirst();
        return;
      }
      if (expecting) {
        received++;
        lastAt = performance.now();
      }
    },
  });
  if (i % 100 === 99) await Promise.all(initial.slice(i - 99));
}
await Promise.all(initial);
const cur = (await (await fetch(`${cms.httpUrl}/admin/documents/${SERVICE_CONFIG_SELECTOR}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { body: string };
const model = parseServiceConfig(cur.body);
model.params!.onNetwork![0]!.hangTimeWarning = 'PT7S';
expecting = true;
const editAt = performance.now();
const put = await fetch(`${cms.httpUrl}/admin/documents/${SERVICE_CONFIG_SELECTOR}`, {
  method: 'PUT',
  headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/vnd.3gpp.mcptt-service-config+xml' },
  body: serializeServiceConfig(model),
});
const editAnsweredMs = performance.now() - editAt;
for (let i = 0; i < 20_000 && received < USERS; i++) await new Promise((r) => setTimeout(r, 5));

console.log(
  JSON.stringify(
    {
      bench: 'cms',
      users: USERS,
      seedMs: Math.round(seedMs),
      conditionalGet304PerSecond: getsPerSecond,
      conditionalGetConcurrency: CONCURRENCY,
      conditionalGetNon304: non304,
      subscriptions: cms.subscriptionProxy.notifier.size,
      adminEditStatus: put.status,
      adminEditAnsweredMs: Math.round(editAnsweredMs),
      notifiesReceived: received,
      editToLastNotifyMs: Math.round(lastAt - editAt),
    },
    null,
    2,
  ),
);
await Promise.all(endpoints.map((e) => e.close()));
await cms.close();
await db.close();
await benchIssuer.close();
rmSync(dir, { recursive: true, force: true });
