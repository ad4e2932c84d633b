import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEcosystemProcess, type EcosystemProcess } from '../support/ecosystem-process.ts';

// `mcx up --processes per-system` as real processes: the launcher, mcx up, and one child process
// per MC system. A UE migrates across them over the real sockets; a stop or a dead child leaves
// no process and no runtime file behind.

/** The pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended while we read
    }
  }
  return out;
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mcx up's pid (the runtime file) and its system processes, one per MC system of the demo file. */
function processesOf(eco: EcosystemProcess): { mcx: number; systems: number[] } {
  const { pid } = JSON.parse(readFileSync(join(eco.dataDir, 'run', 'endpoints.json'), 'utf8')) as { pid: number };
  return { mcx: pid, systems: childrenOf(pid) };
}

async function ueApi<T>(eco: EcosystemProcess, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${eco.endpoints.ueHost}${path}`, {
    method,
    headers: { authorization: `Bearer ${eco.controlToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function waitFor<T>(what: string, get: () => Promise<T>, done: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last = await get();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms (last: ${JSON.stringify(last).slice(0, 400)})`);
    await pause(250);
    last = await get();
  }
  return last;
}

interface Snapshot {
  id: string;
  state: string;
  system?: string;
}

describe('mcx up --processes per-system', () => {
  it('runs each MC system in its own process, migrates a UE across them, and stops every process cleanly', async () => {
    const eco = await startEcosystemProcess(180_000, ['--processes', 'per-system', '--no-ues'], { processGroup: true });
    try {
      const { mcx, systems } = processesOf(eco);
      expect(systems).toHaveLength(2);
      expect(eco.output()).toContain('a process per MC system');
      // Every server answers, each from its own process.
      for (const s of eco.endpoints.systems) expect((await fetch(`${s.idms.issuer}/.well-known/openid-configuration`)).status).toBe(200);

      await ueApi(eco, 'POST', '/api/ues', { id: 'ue-proc', user: 'alice' });
      await waitFor('online in mcx-a', () => ueApi<Snapshot>(eco, 'GET', '/api/ues/ue-proc'), (u) => u.state === 'STABLE' && u.system === 'mcx-a');
      await ueApi(eco, 'POST', '/api/ues/ue-proc/plmn', { plmn: '00102' });
      await waitFor('migrated to mcx-b', () => ueApi<Snapshot>(eco, 'GET', '/api/ues/ue-proc'), (u) => u.state === 'STABLE' && u.system === 'mcx-b');
      // The MCS-B -> MCS-A leg (TS 23.280 10.6.3) never passes the UE: MCS-B's process reported it over IPC.
      const messages = await ueApi<{ peer: string; summary: string; direction: string }[]>(eco, 'GET', '/api/ues/ue-proc/messages');
      expect(messages.some((m) => m.peer === 'MCS-A' && m.summary.startsWith('MESSAGE'))).toBe(true);

      // A terminal's Ctrl-C: SIGINT to the whole job (launcher, mcx up, both system processes) stops everything once.
      eco.signal('SIGINT', { group: true });
      const code = await eco.exited;
      expect(code).toBe(0);
      expect([eco.output().split('stopped.').length - 1, eco.output().split(': stopping...').length - 1]).toEqual([1, 1]);
      // Nothing orphaned: mcx up and both system processes are gone, the runtime file too.
      await waitFor('every process gone', async () => [mcx, ...systems].filter(alive), (left) => left.length === 0, 10_000);
      expect(existsSync(join(eco.dataDir, 'run', 'endpoints.json'))).toBe(false);
      expect(readdirSync(eco.dataDir).filter((f) => /-(wal|shm)$/.test(f))).toEqual([]);
    } finally {
      await eco.stop();
    }
  });

  it('a system process that dies is reported, and mcx up stops the others and exits 1', async () => {
    const eco = await startEcosystemProcess(180_000, ['--processes', 'per-system', '--no-ues'], { processGroup: true });
    try {
      const { mcx, systems } = processesOf(eco);
      expect(systems).toHaveLength(2);
      process.kill(systems[0]!, 'SIGKILL');
      const code = await eco.exited;
      expect(code).toBe(1);
      expect(eco.output()).toMatch(new RegExp(`the process of MC system mcx-[ab] \\(pid ${systems[0]}\\) was killed by SIGKILL; stopping every process`));
      await waitFor('every process gone', async () => [mcx, ...systems].filter(alive), (left) => left.length === 0, 10_000);
      expect(existsSync(join(eco.dataDir, 'run', 'endpoints.json'))).toBe(false);
      expect(await fetch(eco.endpoints.ueHost + '/healthz').then(() => true, () => false)).toBe(false);
    } finally {
      await eco.stop().catch(() => undefined);
    }
  });
});
