/**
 * Replicas (issue #17): `mcx up --db postgres://... --replicas 2` runs each MC system's CMS, GMS and
 * MCS twice on one PostgreSQL database, behind HAProxy (HTTP) and Kamailio (SIP) on the ecosystem
 * file's ports; instance 2 of every server runs in a child process of its own. UEs migrate from A
 * to B while that process is SIGKILLed; every UE must end configured in B with every document at
 * its latest version, and later changes must still reach every UE (the survivor took the dead
 * instance's subscriptions over from the database). Also: 50 concurrent If-Match PUTs through the
 * HTTP front (spread over both instances) have exactly one winner. The kill-and-converge time is
 * printed. Needs PostgreSQL (MCX_TEST_DATABASE_URL) and Debian's haproxy and kamailio (.ci/run).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UeHostClient, type UeSnapshot } from '@mcx/ue-host-api';
import { startEcosystemProcess, type EcosystemProcess } from '../support/ecosystem-process.ts';
import { dropDatabases, prefixedDatabase, replicaPids } from '../support/postgres.ts';

const { prefix, url: dbUrl } = prefixedDatabase('mcxrep');
/** UEs of the two demo users allowed to migrate to mcx-b (alice, carol). */
const UES = 20;
const GROUP = 'sip:rescue-b@mcx-b.example.net';

let eco: EcosystemProcess | undefined;
let ues: UeHostClient;
beforeAll(async () => {
  eco = await startEcosystemProcess(180_000, ['--db', dbUrl, '--replicas', '2', '--no-ues']);
  ues = new UeHostClient(eco.endpoints.ueHost, { token: eco.controlToken });
});
afterAll(async () => {
  if (eco) expect(await eco.stop()).toBe(0);
  await dropDatabases(prefix);
});

const adminToken = (system: string) => readFileSync(join(eco!.dataDir, 'secrets', `${system}-admin-token`), 'utf8').trim();
const systemOf = (id: string) => eco!.endpoints.systems.find((s) => s.id === id)! as unknown as { gms: { xcapRoot: string }; cms: { xcapRoot: string }; admin: string; gmsAdmin: string };

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms: ${JSON.stringify(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const list = () => ues.listUes('rep-');
const allIn = (system: string) => (l: UeSnapshot[]) => l.length === UES && l.every((u) => u.state === 'STABLE' && u.system === system);

describe('two instances of each CMS, GMS and MCS on PostgreSQL behind HAProxy and Kamailio', () => {
  it('runs instance 2 in a process of its own, and the fronts answer on the file\'s ports', async () => {
    expect(replicaPids(eco!.pid)).toHaveLength(1);
    expect(eco!.output()).toMatch(/mcx-b: 2 replicas of the CMS, GMS and MCS behind HAProxy/);
    const res = await fetch(`${systemOf('mcx-b').gmsAdmin}/groups`, { headers: { authorization: `Bearer ${adminToken('mcx-b')}` } });
    expect(res.status).toBe(200);
  });

  it('gives exactly one of 50 concurrent If-Match PUTs through the HTTP front the win', async () => {
    const url = `${systemOf('mcx-b').gms.xcapRoot}/org.openmobilealliance.groups/global/byGroupID/${GROUP}`;
    const auth = { authorization: `Bearer ${adminToken('mcx-b')}` };
    const got = await fetch(url, { headers: auth });
    expect(got.status).toBe(200);
    const etag = got.headers.get('etag')!;
    const body = await got.text();
    expect(body).toContain('>Rescue B<');
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(url, {
          method: 'PUT',
          headers: { ...auth, 'if-match': etag, 'content-type': 'application/vnd.oma.poc.groups+xml', connection: 'close' },
          body: body.replace('>Rescue B<', `>Rescue B ${i}<`),
        }).then(async (r) => (await r.arrayBuffer(), r.status)),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(49);
  });

  it('migrates every UE to B while instance 2 is SIGKILLed, every document at its latest version, and keeps notifying', async () => {
    await ues.createBulk({ count: UES, users: ['alice', 'carol'], prefix: 'rep-' });
    await until('every UE configured in mcx-a', list, allIn('mcx-a'), 120_000);
    const [victim] = replicaPids(eco!.pid);
    expect(victim).toBeDefined();

    await ues.changePlmnBulk({ prefix: 'rep-', plmn: '00102' });
    await new Promise((r) => setTimeout(r, 300)); // mid-run: some UEs are migrating, some not yet
    const killedAt = Date.now();
    process.kill(victim!, 'SIGKILL');
    const migrated = await until('every UE configured in mcx-b', list, allIn('mcx-b'), 120_000);
    const convergeMs = Date.now() - killedAt;
    console.log(JSON.stringify({ replicas: 2, ues: UES, kill_and_converge_ms: convergeMs }));
    expect(migrated.every((u) => u.migrated)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500)); // the survivor claims the dead instance's subscriptions (1 s sweep)

    // Every document a UE holds of B is the server's current version.
    const cmsDocs = (await (await fetch(`${systemOf('mcx-b').admin}/documents`, { headers: { authorization: `Bearer ${adminToken('mcx-b')}` } })).json()) as { selector: string; etag: string }[];
    const groups = (await (await fetch(`${systemOf('mcx-b').gmsAdmin}/groups`, { headers: { authorization: `Bearer ${adminToken('mcx-b')}` } })).json()) as { groups: { selector: string; etag: string }[] };
    const current = new Map([...cmsDocs, ...groups.groups].map((d) => [d.selector, d.etag]));
    for (const u of migrated) {
      const held = u.documents.filter((d) => d.system === 'mcx-b' && d.active);
      expect(held.length).toBeGreaterThan(2);
      for (const d of held) expect({ ue: u.id, selector: d.selector, etag: d.etag }).toEqual({ ue: u.id, selector: d.selector, etag: current.get(d.selector) });
    }

    // A change after the kill reaches every UE (through whichever instance holds its subscription now).
    const put = await fetch(`${systemOf('mcx-b').gmsAdmin}/groups/${encodeURIComponent(GROUP)}/members/${encodeURIComponent('sip:erin@mcx-b.example.net')}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken('mcx-b')}` },
    });
    expect(put.status).toBe(200);
    const after = (await (await fetch(`${systemOf('mcx-b').gmsAdmin}/groups`, { headers: { authorization: `Bearer ${adminToken('mcx-b')}` } })).json()) as { groups: { selector: string; etag: string }[] };
    const group = after.groups[0]!;
    await until(
      'the group change at every UE',
      list,
      (l) => l.every((u) => u.documents.some((d) => d.selector === group.selector && d.etag === group.etag)),
      30_000,
    );
    expect(eco!.output()).toMatch(/replica 2 of the CMS, GMS and MCS \(pid \d+\) was killed by SIGKILL/);
  });
});
