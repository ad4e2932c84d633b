/**
 * Kamailio's xcap_server (Debian packages kamailio, kamailio-presence-modules,
 * kamailio-sqlite-modules) as the reference XCAP server of `mcx bench xcap --vs kamailio`: the
 * bench writes a kamailio.cfg into a temporary directory, creates the SQLite database the
 * module stores its documents in (the `xcap` table of /usr/share/kamailio/db_sqlite, table
 * version 4), starts kamailio on a free port and stops it.
 *
 * Configuration choices (our choice, for a like-for-like comparison with the CMS):
 * - XCAP over plain HTTP (the xhttp module) on TCP, keep-alive (no `set_reply_close()`);
 * - `tcp_rd_buf_size=65536` so a 50 KB PUT fits the read buffer, `buf_size` of xcap_server
 *   large enough for the document;
 * - `tcp_children` workers (default 1: one process, like the CMS's one event loop);
 * - authentication: the bearer token compared as a string in the script (the equivalent of a
 *   verified-token cache hit at the CMS); xcap_server does no authorization of its own;
 * - AUID `org.openmobilealliance.user-profile` (xcap_server knows a fixed list of AUIDs, the
 *   MCPTT user-profile AUID of TS 24.484 is not among them); the document bytes are the same.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freeLocalPort } from '@mcx/mc-system';

export const KAMAILIO_BIN = process.env['MCX_KAMAILIO'] ?? '/usr/sbin/kamailio';
/** Where Debian puts the modules: /usr/lib/<multiarch triplet>/kamailio/modules. */
export const KAMAILIO_MODULES = process.env['MCX_KAMAILIO_MODULES'] ?? debianModulesDir();

function debianModulesDir(): string {
  const fallback = '/usr/lib/x86_64-linux-gnu/kamailio/modules';
  try {
    for (const triplet of readdirSync('/usr/lib')) {
      const dir = join('/usr/lib', triplet, 'kamailio', 'modules');
      if (existsSync(join(dir, 'sl.so'))) return dir;
    }
  } catch {
    // no /usr/lib: requireKamailio names what is missing
  }
  return fallback;
}
export const KAMAILIO_SQLITE_SCHEMA = process.env['MCX_KAMAILIO_SCHEMA'] ?? '/usr/share/kamailio/db_sqlite';
/** The AUID the Kamailio side stores the document under (see the module comment). */
export const KAMAILIO_AUID = 'org.openmobilealliance.user-profile';

/** Throws a clear error when a part of the Kamailio installation is missing. */
export function requireKamailio(): void {
  const missing: string[] = [];
  if (!existsSync(KAMAILIO_BIN)) missing.push(`${KAMAILIO_BIN} (package kamailio)`);
  for (const m of ['xhttp.so', 'sl.so', 'pv.so']) if (!existsSync(join(KAMAILIO_MODULES, m))) missing.push(`${join(KAMAILIO_MODULES, m)} (package kamailio)`);
  if (!existsSync(join(KAMAILIO_MODULES, 'xcap_server.so'))) missing.push(`${join(KAMAILIO_MODULES, 'xcap_server.so')} (package kamailio-presence-modules)`);
  if (!existsSync(join(KAMAILIO_MODULES, 'db_sqlite.so'))) missing.push(`${join(KAMAILIO_MODULES, 'db_sqlite.so')} (package kamailio-sqlite-modules)`);
  if (!existsSync(join(KAMAILIO_SQLITE_SCHEMA, 'presence-create.sql'))) missing.push(`${join(KAMAILIO_SQLITE_SCHEMA, 'presence-create.sql')} (package kamailio-sqlite-modules)`);
  if (missing.length > 0) {
    throw new Error(
      `Kamailio is not installed: missing ${missing.join(', ')}. Install it with ` +
        '`apt-get install kamailio kamailio-presence-modules kamailio-sqlite-modules` (.ci/run installs it).',
    );
  }
}

/**
 * The SQL that creates the `version` table and the `xcap` table (with its indexes and version
 * row), taken from the Debian package's schema files so the table version matches the module.
 */
export function xcapTableSql(schemaDir = KAMAILIO_SQLITE_SCHEMA): string {
  const standard = readFileSync(join(schemaDir, 'standard-create.sql'), 'utf8');
  const presence = readFileSync(join(schemaDir, 'presence-create.sql'), 'utf8');
  const start = presence.indexOf('CREATE TABLE xcap ');
  const versionRow = /INSERT INTO version \(table_name, table_version\) values \('xcap','\d+'\);/.exec(presence.slice(start));
  if (start < 0 || !versionRow) throw new Error(`no xcap table in ${join(schemaDir, 'presence-create.sql')}`);
  return `${standard}\n${presence.slice(start, start + versionRow.index + versionRow[0].length)}\n`;
}

/** Creates the SQLite database xcap_server stores its documents in. */
export function createXcapDatabase(path: string, schemaDir = KAMAILIO_SQLITE_SCHEMA): void {
  const db = new Database(path);
  try {
    db.exec(xcapTableSql(schemaDir));
  } finally {
    db.close();
  }
}

export interface KamailioConfigOptions {
  port: number;
  dbPath: string;
  /** The bearer token a request must carry (`Authorization: Bearer <token>`). */
  token: string;
  /** TCP worker processes (default 1). */
  workers?: number;
  /** Largest document (bytes) xcap_server must hold (default 256 KiB). */
  maxDocumentBytes?: number;
}

/** kamailio.cfg of an XCAP server on `127.0.0.1:<port>` (see the module comment). */
export function kamailioConfig(o: KamailioConfigOptions): string {
  const workers = o.workers ?? 1;
  const bufSize = o.maxDocumentBytes ?? 256 * 1024;
  if (!/^[A-Za-z0-9._~+/=-]+$/.test(o.token)) throw new Error('the bearer token must be a token68 (RFC 7235 clause 2.1)');
  return `#!KAMAILIO
# Written by mcx bench xcap --vs kamailio (apps/cms/bench/kamailio-xcap.ts).
debug=1
log_stderror=yes
children=1
tcp_children=${workers}
auto_aliases=no
listen=tcp:127.0.0.1:${o.port}
# xhttp: requests without Content-Length (GET) are accepted
tcp_accept_no_cl=yes
# a 50 KB PUT must fit the TCP read buffer
tcp_rd_buf_size=65536
tcp_connection_lifetime=3600
mpath="${KAMAILIO_MODULES}/"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xhttp.so"
loadmodule "db_sqlite.so"
loadmodule "xcap_server.so"
modparam("xcap_server", "db_url", "sqlite:///${o.dbPath}")
modparam("xcap_server", "buf_size", ${bufSize})

request_route {
  exit;
}

event_route[xhttp:request] {
  if ($hdr(Authorization) != "Bearer ${o.token}") {
    xhttp_reply("403", "Forbidden", "text/plain", "bearer token required\\n");
    exit;
  }
  if ($hu =~ "^/xcap-root/") {
    $xcapuri(u=>data) = $hu;
    $var(uri) = $xcapuri(u=>xuid);
    switch ($rm) {
      case "PUT":
        xcaps_put("$var(uri)", "$hu", "$rb");
        exit;
      case "GET":
        xcaps_get("$var(uri)", "$hu");
        exit;
      case "DELETE":
        xcaps_del("$var(uri)", "$hu");
        exit;
    }
  }
  xhttp_reply("404", "Not Found", "text/plain", "not found\\n");
  exit;
}
`;
}

/** `kamailio -c -f <cfg>`: exit status and output of Kamailio's own configuration check. */
export function checkKamailioConfig(cfgPath: string): { status: number | null; output: string } {
  const r = spawnSync(KAMAILIO_BIN, ['-c', '-f', cfgPath], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

export interface RunningKamailio {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `<url>/xcap-root` */
  xcapRoot: string;
  dir: string;
  cfgPath: string;
  /** CPU time (user + system, ms) of kamailio and all its processes so far. */
  cpuMs(): number;
  stop(): Promise<void>;
}

function ticksPerSecond(): number {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
}

/** utime + stime (clock ticks) of `pid` and its descendants, from /proc (Linux). */
function processTreeTicks(root: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid ... utime(14) stime(15): fields after the closing parenthesis.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
  }
  let total = 0;
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (p === root) return true;
      p = stats.get(p)?.ppid ?? 0;
    }
    return false;
  };
  for (const [pid, s] of stats) if (inTree(pid)) total += s.ticks;
  return total;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Writes the configuration and database into a temporary directory, checks and starts kamailio. */
export async function startKamailio(o: { token: string; workers?: number; port?: number }): Promise<RunningKamailio> {
  requireKamailio();
  const dir = mkdtempSync(join(tmpdir(), 'mcx-kamailio-'));
  const dbPath = join(dir, 'xcap.db');
  const cfgPath = join(dir, 'kamailio.cfg');
  createXcapDatabase(dbPath);
  const port = o.port ?? (await freeLocalPort());
  writeFileSync(cfgPath, kamailioConfig({ port, dbPath, token: o.token, ...(o.workers ? { workers: o.workers } : {}) }));
  const check = checkKamailioConfig(cfgPath);
  if (check.status !== 0) throw new Error(`kamailio -c -f ${cfgPath} failed (exit ${check.status}):\n${check.output}`);
  // -DD: stay in the foreground (children are still forked), -E: log to stderr.
  const child: ChildProcess = spawn(KAMAILIO_BIN, ['-f', cfgPath, '-DD', '-E', '-m', '64', '-M', '16', '-w', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => {
    if (log.length < 64 * 1024) log += c.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  // Ready when the listener answers.
  for (let i = 0; ; i++) {
    const early = await Promise.race([exited.then((c) => ({ exit: c })), new Promise<undefined>((r) => setTimeout(() => r(undefined), 50))]);
    if (early) throw new Error(`kamailio exited with ${early.exit} at start:\n${log}`);
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      break;
    } catch (err) {
      if (i > 100) {
        child.kill('SIGTERM');
        throw new Error(`kamailio did not answer on ${url}: ${(err as Error).message}\n${log}`, { cause: err });
      }
    }
  }
  const hz = ticksPerSecond();
  const pid = child.pid!;
  return {
    url,
    xcapRoot: `${url}/xcap-root`,
    dir,
    cfgPath,
    cpuMs: () => (processTreeTicks(pid) * 1000) / hz,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
