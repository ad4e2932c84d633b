/**
 * The console shows every instance and its health (issue #17): `mcx up --db postgres://...
 * --replicas 2` writes each system's instances (their own addresses, which process runs them) and
 * fronts to the runtime file, and the console's GET /api/instances probes each instance directly
 * (HTTP /healthz, SIP OPTIONS) and reports how the fronts (HAProxy, Kamailio, in the `mcx up`
 * process) see it. After a SIGKILL of the replica process, instance 2 of every role of both systems
 * is reported down and instance 1 up within a few seconds; then the fronts see instance 2 down too.
 * Needs PostgreSQL (MCX_TEST_DATABASE_URL) and Debian's haproxy and kamailio (.ci/run).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEcosystemProcess, type EcosystemProcess } from '../support/ecosystem-process.ts';
import { dropDatabases, prefixedDatabase, replicaPids } from '../support/postgres.ts';

const { prefix, url: dbUrl } = prefixedDatabase('mcxinst');

interface Instance {
  role: 'cms' | 'gms' | 'mcs';
  replica: number;
  http?: string;
  sip?: string;
  process: string;
  pid?: number;
  up?: boolean;
  checks?: { kind: string; up: boolean; detail?: string }[];
  seenByFront?: { haproxy?: boolean; kamailio?: boolean };
}
interface Front {
  role: string;
  kind: 'haproxy' | 'kamailio';
  address: string;
  backends?: { replica: number; up: boolean }[];
}
interface Listed {
  id: string;
  instances: Instance[];
  fronts: Front[];
}

let eco: EcosystemProcess | undefined;
beforeAll(async () => {
  eco = await startEcosystemProcess(180_000, ['--db', dbUrl, '--replicas', '2', '--no-ues']);
});
afterAll(async () => {
  if (eco) expect(await eco.stop()).toBe(0);
  await dropDatabases(prefix);
});


async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms: ${JSON.stringify(v).slice(0, 3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const runtime = () => JSON.parse(readFileSync(join(eco!.dataDir, 'run', 'endpoints.json'), 'utf8')) as { systems: Listed[] };
const listed = async (): Promise<Listed[]> => {
  const res = await fetch(`${eco!.endpoints.console}/api/instances`, { headers: { authorization: `Bearer ${eco!.controlToken}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Listed[];
};
const role = (i: Instance) => `${i.role} ${i.replica}`;

describe('the console shows every instance of a replicated system and its health', () => {
  it('names each instance\'s own addresses and process in the runtime file, and the fronts on the file\'s ports', () => {
    const [replica2] = replicaPids(eco!.pid);
    expect(replica2).toBeDefined();
    for (const s of runtime().systems) {
      expect(s.instances.map(role)).toEqual(['cms 1', 'cms 2', 'gms 1', 'gms 2', 'mcs 1', 'mcs 2']);
      for (const i of s.instances) {
        expect(i.process).toBe(i.replica === 1 ? 'mcx up' : 'replica-2');
        if (i.replica === 2) expect(i.pid).toBe(replica2);
        expect(i.sip).toMatch(/^sip:[a-z]+@127\.0\.0\.1:\d+;transport=udp$/);
        if (i.role !== 'mcs') expect(i.http).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      }
      // Instances listen on ports of their own, none of them a front's.
      const own = new Set(s.instances.flatMap((i) => [i.http, i.sip].filter(Boolean).map((u) => /:(\d+)/.exec(u!.replace(/^https?:\/\//, ''))![1])));
      expect(own.size).toBe(10);
      expect(s.fronts.map((f) => `${f.kind} ${f.role}`)).toEqual(['haproxy cms', 'haproxy gms', 'kamailio cms', 'kamailio gms', 'kamailio mcs']);
      for (const f of s.fronts) expect(own.has(f.address.split(':').pop()!)).toBe(false);
    }
  });

  it('reports instance 2 of every role down and instance 1 up within seconds of a SIGKILL of the replica process', async () => {
    // All up first, directly and as every front sees them.
    await until(
      'every instance up, directly and through the fronts',
      listed,
      (l) => l.length === 2 && l.every((s) => s.instances.every((i) => i.up && i.seenByFront && Object.values(i.seenByFront).every(Boolean)) && s.fronts.every((f) => f.backends?.every((b) => b.up))),
      30_000,
    );
    const [victim] = replicaPids(eco!.pid);
    const killedAt = Date.now();
    process.kill(victim!, 'SIGKILL');
    const after = await until(
      'instance 2 of every role down, instance 1 up',
      listed,
      (l) => l.every((s) => s.instances.every((i) => i.up === (i.replica === 1))),
      8_000,
    );
    console.log(JSON.stringify({ replicas: 2, kill_to_instances_down_ms: Date.now() - killedAt }));
    for (const s of after) {
      expect(s.instances.filter((i) => i.replica === 2).map((i) => [role(i), i.up, i.process])).toEqual([
        ['cms 2', false, 'replica-2'],
        ['gms 2', false, 'replica-2'],
        ['mcs 2', false, 'replica-2'],
      ]);
    }
    // The fronts notice too (HAProxy's checks, Kamailio's OPTIONS probing): instance 2 down, 1 up.
    await until(
      'every front sees instance 2 down',
      listed,
      (l) => l.every((s) => s.fronts.every((f) => f.backends?.find((b) => b.replica === 2)?.up === false && f.backends.find((b) => b.replica === 1)?.up === true)),
      20_000,
    );
  });
});
