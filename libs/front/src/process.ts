/**
 * A front's program (haproxy, kamailio) as a child process: found on the PATH or in /usr/sbin,
 * stdout and stderr appended to a log file, a readiness probe, stopped by SIGTERM then SIGKILL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  fstatSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The path of a program: `$<envVar>` when set, else the first executable `name` on the PATH or in
 * /usr/sbin, /usr/local/sbin, /sbin (Debian installs haproxy and kamailio in /usr/sbin, which is not
 * on a non-root PATH). Throws "<name> not found: apt-get install <package>" otherwise.
 */
export function findProgram(name: string, debianPackage: string, envVar?: string): string {
  const fromEnv = envVar ? process.env[envVar] : undefined;
  if (fromEnv) {
    if (isExecutable(fromEnv)) return fromEnv;
    throw new Error(`${name} not found at $${envVar}=${fromEnv}: apt-get install ${debianPackage}`);
  }
  const dirs = [
    ...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean),
    '/usr/sbin',
    '/usr/local/sbin',
    '/sbin',
  ];
  for (const dir of dirs) {
    const path = join(dir, name);
    if (isExecutable(path)) return path;
  }
  throw new Error(`${name} not found: apt-get install ${debianPackage}`);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The last `bytes` of a file (a log's tail for error messages); '' when it cannot be read. */
export function tail(path: string, bytes = 4096): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - bytes);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface ChildOptions {
  /** What the errors call it, e.g. `haproxy front cms`. */
  what: string;
  bin: string;
  args: string[];
  cwd: string;
  logPath: string;
  /** Resolves true once the program serves (called repeatedly until then). */
  probe(): Promise<boolean>;
  /** How long to wait for readiness (ms, default 15 s). */
  readyTimeoutMs?: number;
  /** How long close() waits after SIGTERM before SIGKILL (ms, default 5 s). */
  stopTimeoutMs?: number;
}

export interface RunningChild {
  readonly pid: number;
  /** The exit, once it happened. */
  readonly exited: Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Spawns the program and waits until `probe` succeeds. Rejects, after stopping the program, when it
 * exits first (with the log's tail) or when it is not ready in time.
 */
export async function startChild(o: ChildOptions): Promise<RunningChild> {
  const log = openSync(o.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(o.bin, o.args, { cwd: o.cwd, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      exit ??= { code: null, signal: null };
      resolve();
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });
  // A front must not outlive the process that started it: on a normal exit of Node, SIGTERM it
  // (the programs stop their own worker processes on SIGTERM).
  const onExit = () => {
    if (!exit) child.kill('SIGTERM');
  };
  process.once('exit', onExit);

  const stop = async () => {
    process.removeListener('exit', onExit);
    if (exit) return;
    const pid = child.pid;
    const descendants = pid ? descendantsOf(pid) : [];
    child.kill('SIGTERM');
    const killed = await Promise.race([
      exited.then(() => false),
      sleep(o.stopTimeoutMs ?? 5000).then(() => true),
    ]);
    if (killed) {
      child.kill('SIGKILL');
      await exited;
    }
    // Workers still alive (the main process was SIGKILLed, or left them behind): SIGKILL them too.
    for (const d of descendants) {
      try {
        process.kill(d, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };

  const deadline = Date.now() + (o.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (exit) {
      process.removeListener('exit', onExit);
      const how = spawnError
        ? spawnError.message
        : exit.signal
          ? `signal ${exit.signal}`
          : `code ${exit.code}`;
      throw new Error(`${o.what} exited before it was ready (${how}); ${o.logPath}:\n${tail(o.logPath)}`);
    }
    let ready: boolean;
    try {
      ready = await o.probe();
    } catch {
      ready = false;
    }
    if (ready && !exit) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `${o.what} was not ready within ${o.readyTimeoutMs ?? 15_000} ms; ${o.logPath}:\n${tail(o.logPath)}`,
      );
    }
    await Promise.race([exited, sleep(50)]);
  }
  return { pid: child.pid!, exited, stop };
}

/** Every process below `root` (Linux /proc; [] elsewhere). */
function descendantsOf(root: number): number[] {
  const parent = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    for (
      let p = parent.get(pid), hops = 0;
      p !== undefined && p > 1 && hops < 64;
      p = parent.get(p), hops++
    ) {
      if (p === root) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

/**
 * `<program> -c -f <cfg>` (HAProxy and Kamailio both check a configuration so): throws with the
 * program's own words when it refuses the configuration.
 */
export function checkConfig(name: string, bin: string, cfgPath: string): void {
  const r = spawnSync(bin, ['-c', '-f', cfgPath], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0)
    throw new Error(`${name} -c -f ${cfgPath} failed (exit ${r.status ?? r.signal}):\n${r.stdout ?? ''}${r.stderr ?? ''}`);
}
