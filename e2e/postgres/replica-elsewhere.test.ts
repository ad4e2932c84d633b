/**
 * The topology in the ecosystem file (issue #17): instance 2 of each replicated server is on
 * "another machine" (127.0.0.2: a loopback address no interface of this machine has, so
 * @mcx/mc-system isLocalAddress calls it remote). `mcx up` starts the fronts and instance 1, does not
 * start instance 2 and says it is not answering; `mcx up --replica 2` (with the same file, database,
 * lab CA and admin credentials, as on the other machine, which counts 127.0.0.2 as its own through
 * MCX_LOCAL_ADDRESSES) starts it; the fronts then reach it and UEs are served by both instances.
 * Needs PostgreSQL, haproxy and kamailio (.ci/run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustLabCa } from '@mcx/lab-ca';
import { freeLocalPort } from '@mcx/mc-system';
import { UeHostClient, type UeSnapshot } from '@mcx/ue-host-api';
import { MCX, REPO } from '../support/ecosystem-process.ts';
import { dropDatabases, prefixedDatabase } from '../support/postgres.ts';

const { prefix, url: dbUrl } = prefixedDatabase('mcxelse');

interface Proc {
  child: ChildProcess;
  output(): string;
  until(text: string | RegExp, ms: number): Promise<void>;
  stop(): Promise<number | null>;
}

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Proc {
  const child = spawn(process.execPath, [MCX, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    output: () => out,
    async until(text, ms) {
      const deadline = Date.now() + ms;
      while (!(typeof text === 'string' ? out.includes(text) : text.test(out))) {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`no ${text} within ${ms} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return Promise.race([exited, new Promise<number | null>((r) => setTimeout(() => (child.kill('SIGKILL'), r(-1)), 20_000))]);
    },
  };
}

let dir: string;
let config: string;
let up: Proc | undefined;
let elsewhere: Proc | undefined;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcx-else-'));
  const doc = parseDocument(readFileSync(join(REPO, 'ecosystem.yaml'), 'utf8'));
  doc.set('dataDir', join(dir, 'data'));
  doc.setIn(['console', 'port'], 0);
  doc.setIn(['ueHost', 'port'], 0);
  doc.set('ues', []);
  const systems = (doc.get('systems') as { items: unknown[] }).items;
  for (let i = 0; i < systems.length; i++) {
    // Every port fixed (both "machines" read the file): free ones now.
    for (const key of ['idms', 'cms', 'gms', 'cmsSip', 'gmsSip', 'mcsSip']) doc.setIn(['systems', i, 'ports', key], await freeLocalPort('127.0.0.1', key.endsWith('Sip')));
    const instance = async (host: string) => ({
      ...(host === '127.0.0.1' ? {} : { host }),
      cms: await freeLocalPort(host),
      gms: await freeLocalPort(host),
      cmsSip: await freeLocalPort(host, true),
      gmsSip: await freeLocalPort(host, true),
      mcsSip: await freeLocalPort(host, true),
    });
    doc.setIn(['systems', i, 'replicas'], 2);
    doc.setIn(['systems', i, 'replicaPorts'], doc.createNode([await instance('127.0.0.1'), await instance('127.0.0.2')]));
  }
  config = join(dir, 'ecosystem.yaml');
  writeFileSync(config, doc.toString());
  up = run(['up', '--config', config, '--db', dbUrl]);
  await up.until('Ready in', 180_000);
  trustLabCa(readFileSync(join(dir, 'data', 'tls', 'ca.pem'), 'utf8'));
});
afterAll(async () => {
  await elsewhere?.stop();
  await up?.stop();
  rmSync(dir, { recursive: true, force: true });
  await dropDatabases(prefix);
});

describe('an instance on another machine', () => {
  it('is checked, not started, by mcx up; mcx up --replica 2 starts it there; UEs migrate through the fronts', async () => {
    expect(up!.output()).toMatch(/mcx-b: instance 2 on 127\.0\.0\.2 \(another machine\): CMS not answering/);
    // No replica process of mcx up: instance 2 is elsewhere.
    expect(up!.output()).not.toMatch(/replica 2 of the CMS, GMS and MCS \(pid/);

    // The other machine: 127.0.0.2 is its address.
    elsewhere = run(['up', '--replica', '2', '--config', config, '--db', dbUrl], { ...process.env, MCX_LOCAL_ADDRESSES: '127.0.0.2' });
    await elsewhere.until('Replica 2 of mcx-a, mcx-b ready', 120_000);
    const endpoints = JSON.parse(readFileSync(join(dir, 'data', 'run', 'endpoints.json'), 'utf8')) as { ueHost: string; console: string };
    const token = readFileSync(join(dir, 'data', 'secrets', 'control-token'), 'utf8').trim();
    const ues = new UeHostClient(endpoints.ueHost, { token });
    // How every front (HAProxy, Kamailio) sees each instance now (the console's GET /api/instances).
    const fronts = async () => {
      const res = await fetch(`${endpoints.console}/api/instances`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const systems = (await res.json()) as { id: string; fronts: { role: string; kind: string; backends?: { replica: number; up: boolean }[] }[] }[];
      return systems.flatMap((s) => s.fronts.map((f) => ({ system: s.id, front: `${f.kind} ${f.role}`, up: (f.backends ?? []).filter((b) => b.up).map((b) => b.replica) })));
    };
    // Instance 2 was down when mcx up started: every front routes to it again before the UEs come.
    for (const deadline = Date.now() + 30_000; ; ) {
      const seen = await fronts();
      if (seen.every((f) => f.up.includes(1) && f.up.includes(2))) break;
      if (Date.now() > deadline) throw new Error(`the fronts do not see both instances: ${JSON.stringify(seen)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await ues.createBulk({ count: 8, users: ['alice', 'carol'], prefix: 'else-' });
    const wait = async (ok: (l: UeSnapshot[]) => boolean, what: string) => {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const l = await ues.listUes('else-');
        if (ok(l)) return l;
        if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(l.map((u) => [u.id, u.state, u.system, u.error]))}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await wait((l) => l.length === 8 && l.every((u) => u.state === 'STABLE' && u.system === 'mcx-a'), 'online in mcx-a');
    await ues.changePlmnBulk({ prefix: 'else-', plmn: '00102' });
    await wait((l) => l.every((u) => u.state === 'STABLE' && u.system === 'mcx-b' && u.migrated), 'migrated to mcx-b');
    // Both instances served: subscriptions are held by instance 1 and by instance 2 (127.0.0.2).
    const client = new pg.Client({ connectionString: dbUrl.replace(`/${prefix}`, `/${prefix}_mcx_b_cms`) });
    await client.connect();
    try {
      const owners = (await client.query<{ server: string }>('SELECT DISTINCT server FROM "Subscription" ORDER BY server')).rows.map((r) => r.server);
      expect(owners, `subscription owners; the fronts now: ${JSON.stringify(await fronts())}`).toEqual(['cms/1', 'cms/2']);
    } finally {
      await client.end();
    }
    expect(await elsewhere.stop()).toBe(0);
  });
});
