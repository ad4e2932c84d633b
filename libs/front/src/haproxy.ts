/**
 * The HTTP front: HAProxy (Debian package `haproxy`) in TCP mode before the HTTP(S) listeners of a
 * server role's replicas. Every choice below is ours (README, "HTTP front").
 */
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { checkConfig, findProgram, startChild } from './process.ts';
import {
  checkFrontOptions,
  hostPort,
  type Backend,
  type BackendHealth,
  type Bind,
  type FrontHandle,
} from './types.ts';

export interface HttpFrontOptions {
  /** Names the files in `dir` and HAProxy's proxies (letters, digits, `.`, `_`, `-`). */
  name: string;
  bind: Bind;
  backends: Backend[];
  /** Directory for the configuration, the stats socket and the log (the caller creates and owns it). */
  dir: string;
  /** Default `leastconn` (README, "HTTP front"). */
  balance?: 'leastconn' | 'roundrobin';
}

export interface HaproxyConfigOptions {
  name: string;
  bind: Bind;
  backends: Backend[];
  /** Absolute path of the stats socket. */
  statsSocket: string;
  balance?: 'leastconn' | 'roundrobin';
}

/** The backend (HAProxy proxy) name the servers of front `name` live in. */
export const haproxyBackendName = (name: string) => `${name}_replicas`;

/**
 * haproxy.cfg of one front:
 * - `mode tcp`: bytes are passed through, TLS included, so the UE still verifies the replica's
 *   lab-CA certificate for the system's host name, and plain HTTP works the same way;
 * - `balance leastconn` by default: in TCP mode HAProxy balances connections, not requests, and a
 *   UE keeps its connection open (HTTP keep-alive), so the replica with the fewest open
 *   connections gets the next one; a replica that comes back takes new connections first instead of
 *   a 1/N share (equal counts go round robin);
 * - `check inter 500 fall 2 rise 2`: a TCP connect every 500 ms, so a killed replica is out after
 *   about one second and a restarted one is back after about one second;
 * - `retries 2` + `option redispatch 1`: a refused connect (a replica killed but not yet marked
 *   down) is retried on another replica, so the UE never sees it;
 * - `timeout client/server 1h`: idle keep-alive connections are closed by the replicas (Node's
 *   keepAliveTimeout), not by the front.
 */
export function renderHaproxyConfig(o: HaproxyConfigOptions): string {
  checkFrontOptions(o);
  const backend = haproxyBackendName(o.name);
  const servers = o.backends.map((b) => `  server ${b.name} ${hostPort(b)} check`).join('\n');
  return `# Written by @mcx/front (libs/front/src/haproxy.ts) for front ${o.name}.
global
  log stderr format raw local0 notice
  stats socket ${o.statsSocket} mode 600 level admin
  stats timeout 10s

defaults
  mode tcp
  log global
  option dontlognull
  timeout connect 1s
  timeout client 1h
  timeout server 1h
  timeout check 1s
  retries 2
  option redispatch 1

frontend ${o.name}
  bind ${hostPort(o.bind)}
  default_backend ${backend}

backend ${backend}
  balance ${o.balance ?? 'leastconn'}
  default-server inter 500 fastinter 500 downinter 500 fall 2 rise 2
${servers}
`;
}


/** One row of `show stat` (CSV, RFC-less but documented in HAProxy's management guide, clause 9.1). */
export interface HaproxyStatRow {
  pxname: string;
  svname: string;
  status: string;
}

/** Parses the CSV `show stat` answers: the first line is `# pxname,svname,...`. */
export function parseShowStat(csv: string): HaproxyStatRow[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift();
  if (!header?.startsWith('# ')) throw new Error(`unexpected show stat answer: ${csv.slice(0, 200)}`);
  const cols = header.slice(2).split(',');
  const px = cols.indexOf('pxname');
  const sv = cols.indexOf('svname');
  const st = cols.indexOf('status');
  if (px < 0 || sv < 0 || st < 0) throw new Error(`show stat without pxname/svname/status: ${header}`);
  return lines.map((l) => {
    const f = l.split(',');
    return { pxname: f[px] ?? '', svname: f[sv] ?? '', status: f[st] ?? '' };
  });
}

/**
 * A server is up while HAProxy sends it connections: `UP`, or `UP 1/2` (one failed check, not yet
 * down); `DOWN`, `DOWN 1/2` (coming back), `MAINT`, `NOLB` are not.
 */
export const haproxyServerUp = (status: string) => /^UP\b/.test(status);

/** Sends one command to a HAProxy stats socket and returns the whole answer. */
export function statsCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const s = connect(socketPath);
    let out = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer to "${command}" on ${socketPath}`));
    }, timeoutMs);
    s.setEncoding('utf8');
    s.on('connect', () => s.write(`${command}\n`));
    s.on('data', (d: string) => (out += d));
    s.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolvePromise(out);
    });
  });
}

/** A TCP connect to `bind` succeeds. */
export function tcpAccepts(bind: Bind, timeoutMs = 1000): Promise<boolean> {
  return new Promise((r) => {
    const s = connect({ host: bind.host, port: bind.port });
    const done = (ok: boolean) => {
      s.destroy();
      r(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Longest `sun_path` of a Unix socket on Linux (108 bytes with the NUL). */
const MAX_UNIX_PATH = 107;

/**
 * Writes `dir/<name>.haproxy.cfg`, checks it with `haproxy -c`, runs `haproxy -db -f <cfg>` in the
 * foreground (log: `dir/<name>.haproxy.log`) and resolves once the bind port accepts connections and
 * the stats socket answers.
 */
export async function startHttpFront(o: HttpFrontOptions): Promise<FrontHandle> {
  checkFrontOptions(o);
  const bin = findProgram('haproxy', 'haproxy', 'MCX_HAPROXY');
  const dir = resolve(o.dir);
  const configPath = join(dir, `${o.name}.haproxy.cfg`);
  const logPath = join(dir, `${o.name}.haproxy.log`);
  const statsSocket = join(dir, `${o.name}.haproxy.sock`);
  if (Buffer.byteLength(statsSocket) > MAX_UNIX_PATH) {
    throw new Error(
      `the stats socket path ${statsSocket} is longer than ${MAX_UNIX_PATH} bytes (a Unix socket limit): use a shorter dir`,
    );
  }
  writeFileSync(
    configPath,
    renderHaproxyConfig({
      name: o.name,
      bind: o.bind,
      backends: o.backends,
      statsSocket,
      ...(o.balance ? { balance: o.balance } : {}),
    }),
  );
  checkConfig('haproxy', bin, configPath);
  const backendName = haproxyBackendName(o.name);
  const stats = async () => parseShowStat(await statsCommand(statsSocket, 'show stat'));
  const child = await startChild({
    what: `haproxy (front ${o.name})`,
    bin,
    // -db: foreground, no daemon; -f: our configuration only.
    args: ['-db', '-f', configPath],
    cwd: dir,
    logPath,
    probe: async () => (await tcpAccepts(o.bind)) && (await stats()).some((r) => r.pxname === backendName),
  });
  return {
    kind: 'haproxy',
    bind: { ...o.bind },
    configPath,
    logPath,
    async health(): Promise<BackendHealth[]> {
      const rows = await stats();
      return o.backends.map((b) => {
        const row = rows.find((r) => r.pxname === backendName && r.svname === b.name);
        return { backend: b.name, up: row ? haproxyServerUp(row.status) : false };
      });
    },
    close: () => child.stop(),
  };
}
