/**
 * `mcx up`: the whole ecosystem in one process: both MC systems, the UE host with the file's UEs,
 * and the console. Seeds on first start (idempotent), prints every endpoint, stops cleanly on
 * Ctrl-C / SIGTERM / SIGHUP or when its launcher goes away (sockets and databases closed, runtime
 * file removed), once: see stop-requests.ts.
 */
import pino from 'pino';
import { ensureUiBuilt } from '@mcx/console';
import { startEcosystem, type RunningEcosystem } from '../ecosystem/ecosystem.ts';
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
function consoleLoginUrl(running: RunningEcosystem): string {
  if (!running.endpoints.console) return '(no console)';
  return `${running.endpoints.console}/?token=${encodeURIComponent(running.control.token)}`;
}

export async function upCommand(args: { config?: string; db?: string; startUes: boolean; fresh?: boolean }): Promise<number> {
  const loaded = load(args.config);
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
    `mcx up: ${loaded.file} (data in ${loaded.dataDir}${args.db ? `, PostgreSQL ${new URL(args.db).host}` : ', embedded SQLite'})\n`,
  );
  await ensureUiBuilt();
  const running = await startEcosystem({
    ecosystem: loaded.ecosystem,
    dataDir: loaded.dataDir,
    configFile: loaded.file,
    startUes: args.startUes,
    ...(args.db ? { database: args.db } : {}),
    log: (line) => process.stdout.write(`  ${line}\n`),
    // Every server logs through one logger: warnings and errors (every 5xx) by default, MCX_LOG=info for more.
    logger: pino({ level: process.env['MCX_LOG'] ?? 'warn' }, pino.destination(2)),
  }).catch((err: unknown) => {
    throw portClash(loaded.ecosystem, loaded.file, err) ?? err;
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
  stop.done();
  return 0;
}
