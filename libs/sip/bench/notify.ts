/**
 * Benchmark: NOTIFYs per second one notifier process delivers (and gets answered) over UDP
 * to N subscriptions, and the notifier's heap per subscription.
 *
 * The notifier runs in this process; the N subscribers run in a forked child on one UDP
 * socket. Each dialog always has one NOTIFY in flight (RFC 5875 clause 4.7 allows no more),
 * so the load is N concurrent transactions. Prints one JSON object.
 *
 * Options (each also read from the environment variable named after it):
 *   --subscriptions N   (BENCH_SUBSCRIPTIONS, 1000)
 *   --seconds S         (BENCH_SECONDS, 10): length of the NOTIFY load
 *   --drain-seconds S   (BENCH_DRAIN_SECONDS, 40): wait for the SUBSCRIBE server transactions to
 *                       end (Timer J = 64*T1) before measuring the heap
 * `subscriptions` and `heap_bytes_per_subscription` report what was measured: the subscriptions
 * the notifier held when the heap was measured, and the heap growth divided by that count.
 * Run: npm run bench -w @mcx/sip [-- --subscriptions 200 --seconds 3]
 * (node --expose-gc --conditions=@mcx/source --import tsx bench/notify.ts)
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createNotifier, subscribe, SipEndpoint, XCAP_DIFF_CONTENT_TYPE, XCAP_DIFF_EVENT, buildMultipart } from '../src/index.ts';

const USAGE = 'usage: notify.ts [--subscriptions N] [--seconds S] [--drain-seconds S]';
const { values: options, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true, // the forked subscriber process: `subscribers <notifier UDP port>`
      options: {
        subscriptions: { type: 'string', default: process.env.BENCH_SUBSCRIPTIONS ?? '1000' },
        seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '10' },
        'drain-seconds': { type: 'string', default: process.env.BENCH_DRAIN_SECONDS ?? '40' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`notify.ts: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
function positiveNumber(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`notify.ts: --${name} takes a positive number, not "${text}"\n${USAGE}`);
    process.exit(2);
  }
  return n;
}
const N = Math.floor(positiveNumber('subscriptions', options.subscriptions));
const SECONDS = positiveNumber('seconds', options.seconds);
const DRAIN_SECONDS = positiveNumber('drain-seconds', options['drain-seconds']);

const URIS = [
  'org.3gpp.mcptt.ue-config/users/sip:alice@example.net/ue-config-1.xml',
  'org.3gpp.mcptt.user-profile/users/sip:alice@example.net/mcptt-user-profile-1.xml',
  'org.3gpp.mcptt.service-config/global/service-config.xml',
];

function diff(version: number): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<xcap-diff xmlns="urn:ietf:params:xml:ns:xcap-diff" xcap-root="http://127.0.0.1:8080/xcap-root">\n${URIS.map(
    (u) => `<document sel="${u}" previous-etag="v${version - 1}" new-etag="v${version}"/>`,
  ).join('\n')}\n</xcap-diff>\n`;
}

const gc = (globalThis as { gc?: () => void }).gc;
async function heap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

async function subscriberProcess(port: number): Promise<void> {
  const ep = await SipEndpoint.create({ tcp: false });
  let initial = 0;
  let received = 0;
  const body = buildMultipart([
    { contentType: 'application/resource-lists+xml', body: `<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list>${URIS.map((u) => `<entry uri="${u}"/>`).join('')}</list></resource-lists>` },
    { contentType: 'application/vnd.3gpp.mcptt-info+xml', body: '<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><mcptt-Params><mcptt-access-token type="Normal"><mcpttString>tok</mcpttString></mcptt-access-token></mcptt-Params></mcpttinfo>' },
  ]);
  for (let i = 0; i < N; i++) {
    subscribe({
      endpoint: ep, uri: `sip:cms-psi@127.0.0.1:${port}`, from: `<sip:ue${i}@example.net>`, event: XCAP_DIFF_EVENT,
      accept: XCAP_DIFF_CONTENT_TYPE, body: body.body, contentType: body.contentType, expires: 3600,
      onNotify: () => {
        received++;
        if (received === N) process.send!({ type: 'ready' });
        initial++;
      },
    });
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 5));
  }
  process.on('message', (m: { type: string }) => {
    if (m.type === 'stop') {
      process.send!({ type: 'done', received, rss: process.memoryUsage().rss });
      void ep.close().then(() => process.exit(0));
    }
  });
  void initial;
}

async function notifierProcess(): Promise<void> {
  const ep = await SipEndpoint.create({ tcp: false });
  const heapBefore = await heap();
  let answered = 0;
  let failed = 0;
  let running = false;
  let version = 1;
  const notifier = createNotifier<null>({
    endpoint: ep, event: XCAP_DIFF_EVENT, contentType: XCAP_DIFF_CONTENT_TYPE,
    authorize: () => ({ ok: true, subscriber: 'sip:alice@example.net', state: null }),
    initialBody: () => diff(0),
    events: {
      notified: (sub, res) => {
        if (!running) return;
        if (res.status === 200) answered++;
        else failed++;
        notifier.notify(sub.id, diff(++version));
      },
    },
  });
  const child = fork(fileURLToPath(import.meta.url), ['subscribers', String(ep.address('udp').port), '--subscriptions', String(N)], { execArgv: process.execArgv });
  const fromChild = (type: string) => new Promise<Record<string, number>>((resolve) => {
    const on = (m: { type: string }) => {
      if (m.type === type) {
        child.off('message', on);
        resolve(m as unknown as Record<string, number>);
      }
    };
    child.on('message', on);
  });
  const t0 = Date.now();
  await fromChild('ready');
  const subscribeSeconds = (Date.now() - t0) / 1000;
  // Let SUBSCRIBE server transactions (Timer J) and NOTIFY client transactions (Timer K) end.
  const drainUntil = Date.now() + DRAIN_SECONDS * 1000;
  while (Date.now() < drainUntil && (ep.stats().serverTransactions > 0 || ep.stats().clientTransactions > 0)) {
    await new Promise((r) => setTimeout(r, 250));
  }
  const drained = ep.stats();
  const heapSubscribed = await heap();
  const subscriptionsMeasured = notifier.size;

  running = true;
  const cpu0 = process.cpuUsage();
  const start = Date.now();
  for (const sub of notifier.subscriptions()) notifier.notify(sub.id, diff(++version));
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  running = false;
  const elapsed = (Date.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const peak = ep.stats();
  const childDone = fromChild('done');
  child.send({ type: 'stop' });
  const childStats = await childDone;
  const subscriptionsAtEnd = notifier.size;
  notifier.close();
  await ep.close();
  console.log(JSON.stringify({
    subscriptions_requested: N,
    subscriptions: subscriptionsMeasured,
    subscriptions_at_end: subscriptionsAtEnd,
    transport: 'udp',
    seconds: Number(elapsed.toFixed(2)),
    notifies_per_s: Math.round(answered / elapsed),
    notifies_answered: answered,
    notifies_failed: failed,
    notifier_cpu_percent: Math.round(((cpu.user + cpu.system) / 1000 / (elapsed * 1000)) * 100),
    subscribe_phase_s: Number(subscribeSeconds.toFixed(2)),
    heap_bytes_per_subscription: subscriptionsMeasured > 0 ? Math.round((heapSubscribed - heapBefore) / subscriptionsMeasured) : null,
    heap_measured_with_gc: gc !== undefined,
    heap_measured_with: drained,
    transactions_during_load: peak,
    notifier_rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
    subscriber_process_rss_mb: Math.round(childStats.rss! / 2 ** 20),
    node: process.version,
  }, null, 2));
  child.kill();
}

if (positionals[0] === 'subscribers') await subscriberProcess(Number(positionals[1]));
else if (positionals.length > 0) {
  console.error(`notify.ts: unexpected argument "${positionals[0]}"\n${USAGE}`);
  process.exit(2);
} else await notifierProcess();
