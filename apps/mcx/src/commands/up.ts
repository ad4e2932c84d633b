/**
 * `mcx up`: the whole ecosystem: both MC systems, the UE host with the file's UEs, and the console,
 * in one process or (`--processes per-system`) with each MC system in a child process of its own.
 * Seeds on first start (idempotent), prints every endpoint, stops cleanly on Ctrl-C / SIGTERM /
 * SIGHUP or when its launcher goes away (sockets and databases closed, runtime file removed),
 * once: see stop-requests.ts. With system processes, one that dies unasked stops everything (exit 1).
 */
import pino from 'pino';
import { ensureUiBuilt } from '@mcx/console';
import { startEcosystem, type RunningEcosystem } from '../ecosystem/ecosystem.ts';
import { processesOption, replicasOption } from './processes-option.ts';
import type { SystemsView } from '../ecosystem/systems-view.ts';
import { readRuntime, removeRuntime, writeRuntime } from '../ecosystem/runtime-file.ts';
import { formatEndpoints } from './endpoints.ts';
import { load } from './options.ts';
import { portClash } from './port-clash.ts';
import { resetDataDirectory } from './reset.ts';
import { stopRequests } from './stop-requests.ts';

/**
 * The console URL with the control secret, printed once at start (as Jupyter does): opening it logs
 * the browser in (an HttpOnly session cookie) and drops the token from the address bar.
 */
function consoleLoginUrl(running: RunningEcosystem<SystemsView>): string {
  if (!running.endpoints.console) return '(no console)';
  return `${running.endpoints.console}/?token=${encodeURIComponent(running.control.token)}`;
}

export async function upCommand(args: { config?: string; db?: string; startUes: boolean; fresh?: boolean; processes?: string; replicas?: string }): Promise<number> {
  const loaded = load(args.config);
  const replicas = replicasOption(args.replicas);
  const processes = processesOption(args.processes) ?? loaded.ecosystem.processes;
  const existing = readRuntime(loaded.dataDir);
  if (existing)
    throw new Error(
      `an ecosystem already runs for ${loaded.file} (pid ${existing.pid}, console ${existing.console})`,
    );
  if (args.db && !/^postgres(ql)?:\/\//.test(args.db)) throw new Error('--db takes a postgres:// URL');
  if (args.fresh) {
    const removed = await resetDataDirectory(loaded, { db: args.db });
    process.stdout.write(`mcx up --fresh: removed ${removed.length === 0 ? 'nothing' : removed.join(', ')}\n`);
  }
  // Listening from the start: a signal during the start-up stops the ecosystem once it has started.
  const stop = stopRequests((line) => process.stdout.write(line));
  // "Ready in" counts from the start of the process (of the bin/mcx.js launcher when it started this one).
  const t0 = Number(process.env['MCX_LAUNCHED_AT']) || Math.round(performance.timeOrigin);
  process.stdout.write(
    `mcx up: ${loaded.file} (data in ${loaded.dataDir}${args.db ? `, PostgreSQL ${new URL(args.db).host}` : ', embedded SQLite'}${processes === 'per-system' ? ', a process per MC system' : ''})\n`,
  );
  await ensureUiBuilt();
  const running = await startEcosystem({
    processes,
    ecosystem: loaded.ecosystem,
    dataDir: loaded.dataDir,
    configFile: loaded.file,
    startUes: args.startUes,
    ...(args.db ? { database: args.db } : {}),
    ...(replicas !== undefined ? { replicas } : {}),
    log: (line) => process.stdout.write(`  ${line}\n`),
    // Every server logs through one logger: warnings and errors (every 5xx) by default, MCX_LOG=info for more.
    logger: pino({ level: process.env['MCX_LOG'] ?? 'warn' }, pino.destination(2)),
  }).catch((err: unknown) => {
    throw portClash(loaded.ecosystem, loaded.file, err) ?? err;
  });
  // per-system: a system's process that exits unasked, or gets a signal, stops everything (exit 1 for the former).
  let failed = false;
  running.systemProcesses?.onExit((systemId, how) => {
    failed = true;
    process.stderr.write(`mcx up: ${how}; stopping every process\n`);
    stop.request(`${systemId} gone`);
  });
  running.replicaProcesses?.onExit((_replica, how) => {
    // An instance that dies is what replicas are for: the fronts and the other instances carry on.
    process.stderr.write(`mcx up: ${how}; the other instances carry on behind the fronts\n`);
  });
  running.systemProcesses?.onSignal((signal) => {
    if (!stop.stopping) stop.request(signal);
  });
  writeRuntime(loaded.dataDir, running.endpoints);
  process.stdout.write(
    `\n${formatEndpoints(running.endpoints)}\n\nReady in ${Date.now() - t0} ms. Open the console: ${consoleLoginUrl(running)}\n` +
      `(the token is the lab control secret in ${running.control.file}; the UE host API takes it as a bearer token)\nCtrl-C stops everything.\n`,
  );

  await stop.requested;
  await running.close();
  removeRuntime(loaded.dataDir);
  process.stdout.write('stopped.\n');
  stop.done(failed ? 1 : 0);
  return failed ? 1 : 0;
}
