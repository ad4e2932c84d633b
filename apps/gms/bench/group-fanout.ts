/**
 * Benchmark (prints JSON): one change to a group with N subscribed members (default 5,000) →
 * time until the last NOTIFY is answered; and the GMS heap used by those N subscriptions.
 *
 * The GMS runs in this process (embedded SQLite in a temp dir), with the young generation the mcx
 * launcher gives the MC systems (`--max-semi-space-size=64` in the package's bench script, as in
 * apps/mcx/bin/mcx.js). The N UEs run in a forked child
 * on one SIP endpoint (UDP by default), each SUBSCRIBEs with its own access token: a real JWT
 * (ES256, typ at+jwt, mcptt_id, group management scope) from a minimal issuer in this process
 * that serves discovery + JWKS over HTTP (logging 5,000 users in at the real IdMS would take minutes
 * and measure the IdMS, not the GMS). The change is an admin API membership change (a member is
 * added), which goes through the same XCAP write path as a GMC's PUT.
 *
 * Env: BENCH_MEMBERS (5000), BENCH_TRANSPORT (udp|tcp), BENCH_DRAIN_SECONDS (33: the UDP SUBSCRIBE
 * server transactions end after Timer J = 64*T1 before the heap is measured), BENCH_CHANGES (3),
 * BENCH_PROFILE (a file: CPU profile of the GMS process during the measured changes, an allocation
 * profile if it ends in `.heapprofile` (libs/v8-profile); the UE process's profile of the same
 * changes goes next to it, `g.cpuprofile` → `g.ues.cpuprofile`).
 *
 * BENCH_UE_ANSWER (minimal|full, default minimal): once every UE is subscribed, the UE process
 * answers the change NOTIFYs with a 200 OK copied from the NOTIFY's Via, From, To, Call-ID and CSeq
 * lines (RFC 3261 clause 8.2.6.2) without parsing them (`minimal`: the measurement is the GMS's,
 * the UEs cost ~15 µs a NOTIFY), or through the subscriber of @mcx/sip (`full`: parse, dialog
 * match, Subscription-State, the application callback; ~100-200 µs a NOTIFY, which on a shared
 * 2-core machine competes with the GMS for the CPU).
 *
 * Per change it reports the CPU time of both processes (user + system, `process.cpuUsage`) divided by
 * the members notified: `gmsCpuPerNotifyUs` is the server's cost, `uesCpuPerNotifyUs` the bench's
 * subscribers' (parse the NOTIFY, match the dialog, answer 200). They run in separate processes, so
 * on two or more idle cores the subscribers do not take the server's CPU; the load average printed
 * with a run says whether the cores were idle.
 * Run: npm run bench -w @mcx/gms
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { mcpttInfoWithAccessToken, resourceListsOf, serializeMcpttInfo, serializeResourceLists } from '@mcx/documents';
import {
  buildMultipart,
  MCPTT_INFO_CONTENT_TYPE,
  RESOURCE_LISTS_CONTENT_TYPE,
  SipEndpoint,
  subscribe,
  XCAP_DIFF_ACCEPT,
  XCAP_DIFF_EVENT,
  TcpTransport,
  UdpTransport,
  type ReceivedFrame,
  type Target,
  type Transport,
  type TransportProtocol,
} from '@mcx/sip';
import { profileFileOf, startV8Profile, type V8Profiler } from '@mcx/v8-profile';
import { startGms, groupSelector } from '../src/index.ts';

const N = Number(process.env.BENCH_MEMBERS ?? 5000);
const TRANSPORT = (process.env.BENCH_TRANSPORT ?? 'udp') as TransportProtocol;
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 33);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 3);
/** A CPU profile of the measured changes only (not of the subscription phase) is written there. */
const PROFILE = process.env.BENCH_PROFILE;
const DOMAIN = 'bench.example';
const AUDIENCE = 'urn:mcx:bench:gms';
const ADMIN = 'bench-admin-token';
const member = (i: number) => `sip:ue${i}@${DOMAIN}`;
/** Initial SUBSCRIBEs the UE process has unanswered at once (our choice: the GMS's default pending-request bound). */
const WINDOW = 200;
const UE_ANSWER = (process.env.BENCH_UE_ANSWER ?? 'minimal') as 'minimal' | 'full';
if (UE_ANSWER !== 'minimal' && UE_ANSWER !== 'full') throw new Error('BENCH_UE_ANSWER takes minimal or full');

/** Header lines a response copies from its request (RFC 3261 clause 8.2.6.2), long and compact forms. */
const COPIED = /^(?:via|v|from|f|to|t|call-id|i|cseq)[ \t]*:/i;

/**
 * The UE transport of the measured changes: an in-dialog NOTIFY is answered at once with a 200 OK
 * made of its own Via, From, To, Call-ID and CSeq lines (the UEs' dialogs exist; nothing in the
 * NOTIFY is read); anything else, and everything before `minimal` is switched on, goes to the
 * endpoint as usual.
 */
class MinimalAnswerTransport implements Transport {
  minimal = false;
  answered = 0;
  constructor(private readonly inner: Transport) {}
  get protocol() {
    return this.inner.protocol;
  }
  get reliable() {
    return this.inner.reliable;
  }
  get local() {
    return this.inner.local;
  }
  send(data: Buffer, target: Target): Promise<void> {
    return this.inner.send(data, target);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.inner.onFrame((frame) => {
      if (!this.minimal || frame.data.toString('latin1', 0, 7) !== 'NOTIFY ') return handler(frame);
      const text = frame.data.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      let answer = 'SIP/2.0 200 OK\r\n';
      for (const line of text.slice(text.indexOf('\r\n') + 2, end).split('\r\n')) if (COPIED.test(line)) answer += `${line}\r\n`;
      this.answered++;
      this.inner.send(Buffer.from(`${answer}Content-Length: 0\r\n\r\n`, 'latin1'), frame.source).catch(() => undefined);
    });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const gc = (globalThis as { gc?: () => void }).gc;
async function heap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

interface UeStart {
  type: 'start';
  psi: string;
  host: string;
  port: number;
  transport: TransportProtocol;
  selector: string;
  tokens: string[];
}

/** The child: N UEs subscribing to the group document with their own tokens. */
async function uesProcess(): Promise<void> {
  const start = await new Promise<UeStart>((resolve) => process.once('message', (m) => resolve(m as UeStart)));
  const transport = new MinimalAnswerTransport(start.transport === 'udp' ? await UdpTransport.listen() : await TcpTransport.listen());
  const ep = await SipEndpoint.create({ transports: [transport] });
  let notifies = 0;
  let initial = 0;
  /** Subscriptions that ended before their initial NOTIFY, by reason (printed while subscribing). */
  const ended = new Map<string, number>();
  const progress = setInterval(() => {
    process.stderr.write(`gms bench: ${initial}/${start.tokens.length} subscribed, ended: ${JSON.stringify(Object.fromEntries(ended))}\n`);
  }, 10_000);
  const list = serializeResourceLists(resourceListsOf([start.selector]));
  let outstanding = 0;
  let wake: (() => void) | undefined;
  for (let i = 0; i < start.tokens.length; i++) {
    const body = buildMultipart([
      { contentType: RESOURCE_LISTS_CONTENT_TYPE, body: list },
      { contentType: MCPTT_INFO_CONTENT_TYPE, body: serializeMcpttInfo(mcpttInfoWithAccessToken(start.tokens[i]!)) },
    ]);
    // At most WINDOW initial SUBSCRIBEs unanswered at once (each settles after its 503 retries):
    // 5,000 SUBSCRIBEs of 4 KB sent at once over UDP overflow the GMS's socket buffer faster than
    // any server reads it, and a datagram never read is answered by nobody (Timer F: 408).
    while (outstanding >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
    outstanding++;
    let first = true;
    const handle = subscribe({
      endpoint: ep,
      uri: start.psi,
      target: { protocol: start.transport, host: start.host, port: start.port },
      from: `<${member(i)}>`,
      event: XCAP_DIFF_EVENT,
      accept: XCAP_DIFF_ACCEPT,
      body: body.body,
      contentType: body.contentType,
      expires: 3600,
      resubscribe: false,
      // 5,000 SUBSCRIBEs sent at once: a GMS answering 503 + Retry-After is tried again for as long as it takes.
      overloadRetryWindowMs: 600_000,
      maxOverloadRetries: 1_000,
      onTerminated: (info) => {
        if (first) ended.set(info.reason, (ended.get(info.reason) ?? 0) + 1);
      },
      onNotify: () => {
        notifies++;
        if (first) {
          first = false;
          if (++initial === start.tokens.length) {
            clearInterval(progress);
            transport.minimal = UE_ANSWER === 'minimal';
            process.send!({ type: 'subscribed' });
          }
        }
      },
    });
    void handle.ready.finally(() => {
      outstanding--;
      wake?.();
      wake = undefined;
    });
  }
  let profiler: V8Profiler | undefined;
  process.on('message', (m: { type: string; profile?: string }) => {
    if (m.type === 'cpu') process.send!({ type: 'cpu', usage: process.cpuUsage() });
    if (m.type === 'profile' && m.profile) {
      void startV8Profile(m.profile).then((p) => {
        profiler = p;
        process.send!({ type: 'profiling' });
      });
    }
    if (m.type === 'profile-stop' && profiler) {
      void profiler.stop().then(() => process.send!({ type: 'profiled' }));
    }
    if (m.type === 'stop') {
      process.send!({ type: 'done', notifies: notifies + transport.answered, rss: process.memoryUsage().rss });
      void ep.close().then(() => process.exit(0));
    }
  });
}

async function main(): Promise<void> {
  // A minimal token issuer: discovery + JWKS over HTTP, ES256 access tokens (RFC 9068).
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' };
  const issuerServer = createServer((req, res) => {
    const body =
      req.url === '/.well-known/openid-configuration' ? { issuer, jwks_uri: `${issuer}/jwks` } : req.url === '/jwks' ? { keys: [jwk] } : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((r) => issuerServer.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  const token = (mcpttId: string) =>
    new SignJWT({ scope: '3gpp:mc:ptt_group_management_service', mcptt_id: mcpttId, client_id: 'mcx-ue' })
      .setProtectedHeader({ alg: 'ES256', kid: 'bench', typ: 'at+jwt' })
      .setIssuer(issuer)
      .setAudience(AUDIENCE)
      .setSubject(mcpttId)
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(privateKey);

  const dir = mkdtempSync(join(tmpdir(), 'mcx-gms-bench-'));
  let answeredAfterChange = 0;
  let failed = 0;
  let counting = false;
  let firstAnsweredAt = 0;
  /** Resolved when every subscriber's NOTIFY of the change was answered or failed (no polling: the GMS runs in this process). */
  let allAnswered: (() => void) | undefined;
  const gms = await startGms(
    { systemId: 'bench', domain: DOMAIN, idmsIssuer: issuer, audience: AUDIENCE, adminToken: ADMIN, database: { dataDir: dir, name: 'bench-gms' } },
    {
      onNotified: (_s, status) => {
        if (!counting) return;
        if (firstAnsweredAt === 0) firstAnsweredAt = performance.now();
        if (status >= 200 && status < 300) answeredAfterChange++;
        else failed++;
        if (answeredAfterChange + failed >= N) allAnswered?.();
      },
    },
  );
  const members = Array.from({ length: N }, (_, i) => member(i));
  await gms.seed({ groups: [{ groupId: 'bench-1', displayName: 'Bench group', members, priority: 100 }] });
  const selector = groupSelector(`sip:bench-1@${DOMAIN}`);
  const tokens = await Promise.all(members.map((m) => token(m)));
  const heapBefore = await heap();

  const child = fork(fileURLToPath(import.meta.url), ['--ues'], { execArgv: ['--conditions=@mcx/source', '--import', 'tsx'] });
  const target = /@([^:;]+):(\d+)/.exec(TRANSPORT === 'udp' ? gms.sipUri : gms.sipTcpUri)!;
  const subscribeStart = performance.now();
  const subscribed = new Promise<void>((resolve) => child.on('message', (m: { type: string }) => m.type === 'subscribed' && resolve()));
  child.send({ type: 'start', psi: gms.psi, host: target[1]!, port: Number(target[2]), transport: TRANSPORT, selector, tokens } satisfies UeStart);
  await subscribed;
  const subscribeSeconds = (performance.now() - subscribeStart) / 1000;
  await new Promise((r) => setTimeout(r, DRAIN_SECONDS * 1000));
  const heapAfter = await heap();

  /** The next message of `type` from the UE process. */
  const fromUes = <T,>(type: string) =>
    new Promise<T>((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type !== type) return;
        child.off('message', on);
        resolve(m as T);
      };
      child.on('message', on);
    });
  const uesCpu = async () => {
    const reply = fromUes<{ usage: NodeJS.CpuUsage }>('cpu');
    child.send({ type: 'cpu' });
    const { usage } = await reply;
    return usage.user + usage.system;
  };

  // The measured changes: a member joins the group → every subscribed member gets a NOTIFY.
  const changes: {
    adminRequestMs: number;
    firstNotifyAnsweredMs: number;
    lastNotifyAnsweredMs: number;
    loopDelayMaxMs: number;
    gmsCpuPerNotifyUs: number;
    uesCpuPerNotifyUs: number;
  }[] = [];
  let profiler: V8Profiler | undefined;
  if (PROFILE) {
    const started = fromUes('profiling');
    child.send({ type: 'profile', profile: profileFileOf(PROFILE, 'ues') });
    await started;
    profiler = await startV8Profile(PROFILE);
  }
  const loadBefore = loadavg().map((l) => Number(l.toFixed(2)));
  const lag = monitorEventLoopDelay({ resolution: 10 });
  for (let c = 0; c < CHANGES; c++) {
    answeredAfterChange = 0;
    firstAnsweredAt = 0;
    counting = true;
    lag.reset();
    lag.enable();
    const ues0 = await uesCpu();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const res = await fetch(`${gms.adminUrl}/groups/bench-1/members/${encodeURIComponent(`sip:newcomer${c}@${DOMAIN}`)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const adminRequestMs = performance.now() - t0;
    if (res.status !== 200) throw new Error(`change failed: ${res.status} ${await res.text()}`);
    if (answeredAfterChange + failed < N) await new Promise<void>((resolve) => (allAnswered = resolve));
    allAnswered = undefined;
    const lastNotifyAnsweredMs = Number((performance.now() - t0).toFixed(1));
    const cpu = process.cpuUsage(cpu0);
    const ues1 = await uesCpu();
    lag.disable();
    changes.push({
      adminRequestMs: Number(adminRequestMs.toFixed(1)),
      firstNotifyAnsweredMs: Number((firstAnsweredAt - t0).toFixed(1)),
      lastNotifyAnsweredMs,
      loopDelayMaxMs: Number((lag.max / 1e6).toFixed(1)),
      gmsCpuPerNotifyUs: Math.round((cpu.user + cpu.system) / N),
      uesCpuPerNotifyUs: Math.round((ues1 - ues0) / N),
    });
    counting = false;
  }
  if (profiler) {
    await profiler.stop();
    const written = fromUes('profiled');
    child.send({ type: 'profile-stop' });
    await written;
  }

  const done = new Promise<{ notifies: number; rss: number }>((resolve) => child.on('message', (m: { type: string; notifies: number; rss: number }) => m.type === 'done' && resolve(m)));
  child.send({ type: 'stop' });
  const ues = await done;
  const sorted = changes.map((c) => c.lastNotifyAnsweredMs).sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        bench: 'gms-group-fanout',
        node: process.version,
        transport: TRANSPORT,
        ueAnswer: UE_ANSWER,
        subscribedMembers: N,
        subscribeSeconds: Number(subscribeSeconds.toFixed(2)),
        subscriptionsPerSecond: Number((N / subscribeSeconds).toFixed(0)),
        changes,
        changeToLastNotifyAnsweredMs: { best: sorted[0], median: sorted[Math.floor(sorted.length / 2)], worst: sorted[sorted.length - 1] },
        gmsCpuPerNotifyUs: median(changes.map((c) => c.gmsCpuPerNotifyUs)),
        uesCpuPerNotifyUs: median(changes.map((c) => c.uesCpuPerNotifyUs)),
        loadAverage: { beforeChanges: loadBefore, afterChanges: loadavg().map((l) => Number(l.toFixed(2))) },
        notifiesPerSecond: Number((N / ((sorted[Math.floor(sorted.length / 2)] ?? 1) / 1000)).toFixed(0)),
        failedNotifies: failed,
        heapForSubscriptionsMB: Number(((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)),
        heapPerSubscriptionBytes: Math.round((heapAfter - heapBefore) / N),
        heapMeasuredAfterDrainSeconds: DRAIN_SECONDS,
        gmsRssMB: Number((process.memoryUsage().rss / 1024 / 1024).toFixed(0)),
        uesReceivedNotifies: ues.notifies,
      },
      null,
      2,
    ),
  );
  await gms.close();
  issuerServer.close();
  rmSync(dir, { recursive: true, force: true });
}

// The benchmark is configured by the environment (above); `--ues` marks the forked UE process.
// Any other argument is refused, naming it (parseArgs strict mode).
const { values: role } = parseArgs({ strict: true, options: { ues: { type: 'boolean' } } });
if (role.ues) await uesProcess();
else await main();
