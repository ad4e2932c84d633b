/**
 * A system process (the child side of `processes: per-system`): one MC system's IdMS, CMS, GMS and
 * MCS, started by `mcx up` with child_process.fork of the mcx entry (`mcx system-process`, not a
 * user command) and driven over the IPC channel (system-process-messages.ts). The servers are
 * composed by @mcx/mc-system as in a single process, on the ports, credentials and lab CA the
 * parent prepared; only step 5 (CSC-17 sharing) waits for the parent's word, once every partner
 * listens.
 *
 * It never outlives its parent: when the IPC channel goes (the parent exited, even by SIGKILL) it
 * closes its servers and exits. A signal it gets (a terminal's Ctrl-C reaches the whole process
 * group) is reported to the parent, which stops every process once; it does not act on it alone.
 */
import pino from 'pino';
import { childSide } from './child-side.ts';
import type { FromSystemProcess, StartSystem, ToSystemProcess } from './system-process-messages.ts';
import { systemDataOf } from './systems-view.ts';
import type { RunningSystems } from './start.ts';

export function runSystemProcess(): Promise<number> {
  if (!process.send || !process.connected) throw new Error('mcx system-process runs only as a child of mcx up (it needs its IPC channel)');
  let systems: Promise<RunningSystems> | undefined;
  const child = childSide<FromSystemProcess>(() => systems, (signal) => ({ type: 'signal', signal }));
  const { send, exit } = child;
  // The servers' modules load now, while the parent prepares the ports, credentials and lab CA.
  const modules = import('./start.ts');
  modules.catch(() => undefined); // awaited in start
  const start = async (m: StartSystem) => {
    const { startSystems } = await modules;
    systems = startSystems({
      ecosystem: m.ecosystem,
      dataDir: m.dataDir,
      ...(m.replica ? { replica: m.replica, seed: false, isLocal: (await import('@mcx/mc-system')).isLocalAddress } : { only: [m.systemId] }),
      share: false,
      ...(m.database ? { database: m.database } : {}),
      ...(m.throwAwayDatabases ? { throwAwayDatabases: true } : {}),
      ...(m.scryptCost ? { scryptCost: m.scryptCost } : {}),
      ...(m.sipTimers ? { sipTimers: m.sipTimers } : {}),
      log: (line) => send({ type: 'log', line }),
      logger: pino({ level: m.logLevel, base: { pid: process.pid } }, pino.destination(2)),
    });
    const running = await systems;
    if (m.replica) return send({ type: 'replica-started', replica: m.replica });
    const sys = running.system(m.systemId);
    sys.mcs.onLegMessage((event) => send({ type: 'leg', event }));
    send({ type: 'started', system: systemDataOf(sys) });
  };
  process.on('message', (m: ToSystemProcess) => {
    switch (m.type) {
      case 'start':
        start(m).catch((err: unknown) => {
          const e = err as { message?: string; code?: string };
          send({ type: 'failed', message: e.message ?? String(err), ...(isAddressInUse(err) ? { code: 'EADDRINUSE' } : {}) });
          exit(1);
        });
        return;
      case 'share':
        void systems
          ?.then(async (s) => {
            for (const sys of s.systems) await sys.cms.shareMigrations();
            send({ type: 'shared' });
          })
          .catch((err: unknown) => {
            send({ type: 'failed', message: `CSC-17 sharing: ${(err as Error).message}` });
            exit(1);
          });
        return;
      case 'usage':
        send({ type: 'usage', ...child.usage(m.reset) });
        return;
      case 'profile':
        child.profile(m.file).then(
          (bytes) => send({ type: 'profiled', bytes }),
          (err: unknown) => send({ type: 'profiled', bytes: 0, error: (err as Error).message ?? String(err) }),
        );
        return;
      case 'stop':
        exit(0);
        return;
    }
  });
  // The process ends through exit(), never by returning.
  return new Promise<number>(() => undefined);
}

function isAddressInUse(err: unknown): boolean {
  for (let e = err as { code?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 'EADDRINUSE' || /EADDRINUSE/.test(e.message ?? '')) return true;
  }
  return false;
}
