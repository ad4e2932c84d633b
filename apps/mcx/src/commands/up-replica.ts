/**
 * `mcx up --replica K`: only instance K of the CMS, GMS and MCS of every replicated system whose
 * instance K is on this machine (ecosystem file `replicaPorts[K-1].host`), for an ecosystem whose
 * `mcx up` runs on another machine (issue #17: the topology in the ecosystem file; README,
 * "Topology"). It reads the same ecosystem file and needs what both machines must agree on: every
 * port of the replicated systems fixed in the file, the PostgreSQL server (`--db`), and a copy of
 * the first machine's data directory `tls/` (the lab CA: the certificates must chain to it) and
 * `secrets/` (the admin credentials), unless the file gives `adminToken`. No seeding, no sharing,
 * no UE host, no console: those run with instance 1. Stops cleanly on Ctrl-C / SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { instanceHost } from '@mcx/ecosystem';
import { adminTokenFile, isLocalAddress } from '@mcx/mc-system';
import { load } from './options.ts';
import { stopRequests } from './stop-requests.ts';

export async function upReplica(args: { config?: string; db?: string; replica: number }): Promise<number> {
  const loaded = load(args.config);
  const eco = loaded.ecosystem;
  const k = args.replica;
  if (!args.db || !/^postgres(ql)?:\/\//.test(args.db)) throw new Error('mcx up --replica needs --db postgres://... (the database the other instances share)');
  const mine = eco.systems.filter((s) => s.replicas >= k && isLocalAddress(instanceHost(s, k)));
  if (k < 2) throw new Error('--replica takes 2 or more: instance 1 runs with mcx up itself');
  if (mine.length === 0) throw new Error(`no system of ${loaded.file} has an instance ${k} on an address of this machine (replicaPorts[${k - 1}].host)`);
  // Both machines must derive the same addresses from the file: every port of every system fixed.
  for (const s of eco.systems) {
    const zero = Object.entries(s.ports).filter(([, p]) => p === 0).map(([n]) => n);
    if (zero.length > 0) throw new Error(`${s.id}: ports ${zero.join(', ')} are 0 in ${loaded.file}; with instances on two machines every port is fixed (both read the file)`);
  }
  for (const s of mine) {
    const zero = Object.entries(s.replicaPorts?.[k - 1] ?? {}).filter(([, p]) => p === 0).map(([n]) => n);
    if (!s.replicaPorts?.[k - 1] || zero.length > 0) throw new Error(`${s.id}: instance ${k} needs fixed ports in the file (both machines read them): ${zero.join(', ') || 'replicaPorts'}`);
    if (!s.adminToken && !existsSync(adminTokenFile(loaded.dataDir, s.id)))
      throw new Error(`${s.id}: no admin credential: copy ${adminTokenFile(loaded.dataDir, s.id)} from the machine that runs mcx up (or give adminToken in the file)`);
  }
  if (mine.some((s) => s.tls !== false) && !existsSync(join(loaded.dataDir, 'tls', 'ca.pem')))
    throw new Error(`no lab CA in ${join(loaded.dataDir, 'tls')}: copy that directory from the machine that runs mcx up`);
  const stop = stopRequests((line) => process.stdout.write(line));
  const { startSystems } = await import('../ecosystem/start.ts');
  const running = await startSystems({
    ecosystem: eco,
    dataDir: loaded.dataDir,
    database: args.db,
    replica: k,
    seed: false,
    share: false,
    isLocal: isLocalAddress,
    log: (line) => process.stdout.write(`  ${line}\n`),
    logger: pino({ level: process.env['MCX_LOG'] ?? 'warn' }, pino.destination(2)),
  });
  process.stdout.write(`Replica ${k} of ${running.systems.map((s) => s.config.id).join(', ')} ready. Ctrl-C stops it.\n`);
  await stop.requested;
  await running.close();
  process.stdout.write('stopped.\n');
  stop.done(0);
  return 0;
}
