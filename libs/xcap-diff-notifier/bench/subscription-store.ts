// CPU of the xcap-diff subscription store: saves and removes on a throw-away database (SQLite, or
// PostgreSQL with MCX_TEST_DATABASE_URL), in bursts (many SUBSCRIBEs read in one turn of the event
// loop) and one at a time (each awaited: no batching possible). Prints CPU ms per 1,000 save+remove.
//   npm run bench -w @mcx/xcap-diff-notifier -- [--n 5000] [--burst 50]
// STORE_MODULE=<path relative to this file> measures another copy of the store (an A/B).
import { randomUUID } from 'node:crypto';
import { openTestDatabase } from '@mcx/db/testing';
import type { SubscriptionRecord } from '@mcx/sip';
import type { XcapDiffSubscriptionState } from '../src/state.ts';

type Rec = SubscriptionRecord<XcapDiffSubscriptionState>;
interface Store {
  save(r: Rec): Promise<void>;
  remove(id: string): Promise<void>;
}

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const n = arg('n', 5_000);
const burst = arg('burst', 50);
const storePath = process.env.STORE_MODULE ?? '../src/subscription-store.ts';

function record(id: string): Rec {
  return {
    id,
    event: 'xcap-diff',
    eventParams: {},
    subscriber: `sip:user-${id.slice(0, 8)}@example.net`,
    state: {
      documents: { [`org.3gpp.mcptt.groups/users/sip:x@example.net/g-${id.slice(0, 4)}.xml`]: 'g.xml' },
      collection: false,
      notified: {},
      patching: true,
    },
    dialog: {
      callId: `call-${id}`,
      localTag: 'l',
      remoteTag: 'r',
      localUri: 'sip:gms@example.net',
      remoteUri: 'sip:x@example.net',
      localSeq: 1,
      remoteSeq: 1,
      remoteTarget: 'sip:x@127.0.0.1:5062;transport=tcp',
      routeSet: [],
      transport: 'tcp',
    },
    expiresAt: Date.now() + 3_600_000,
  };
}

async function measure(label: string, run: () => Promise<void>, pairs: number): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const ms = (cpu.user + cpu.system) / 1000;
  console.log(
    `${label.padEnd(34)} ${pairs} save+remove: cpu ${ms.toFixed(0)} ms, wall ${wall.toFixed(0)} ms, ` +
      `cpu per 1000 save+remove ${((ms * 1000) / pairs).toFixed(0)} ms`,
  );
}

const db = await openTestDatabase();
try {
  const { PrismaXcapDiffSubscriptionStore } = (await import(storePath)) as {
    PrismaXcapDiffSubscriptionStore: new (db: unknown, server: string) => Store;
  };
  const store = new PrismaXcapDiffSubscriptionStore(db, 'bench');
  // Warm-up: statements, JIT.
  for (let i = 0; i < 200; i++) {
    const id = randomUUID();
    await store.save(record(id));
    await store.remove(id);
  }
  await measure(
    `bursts of ${burst} (${db.provider})`,
    async () => {
      for (let done = 0; done < n; done += burst) {
        const ids = Array.from({ length: Math.min(burst, n - done) }, () => randomUUID());
        await Promise.all(ids.map((id) => store.save(record(id))));
        await Promise.all(ids.map((id) => store.remove(id)));
      }
    },
    n,
  );
  const serial = Math.min(n, 1_000);
  await measure(
    `one at a time (${db.provider})`,
    async () => {
      for (let i = 0; i < serial; i++) {
        const id = randomUUID();
        await store.save(record(id));
        await store.remove(id);
      }
    },
    serial,
  );
} finally {
  await db.close();
}
