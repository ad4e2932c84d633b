/**
 * The SIP front: Kamailio (Debian package `kamailio`) as a transaction-stateful proxy with the
 * dispatcher module before the SIP listeners of a server role's replicas. Every routing choice below
 * is ours (README, "SIP front").
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { checkConfig, findProgram, startChild } from './process.ts';
import { tcpAccepts } from './haproxy.ts';
import {
  checkFrontOptions,
  hostPort,
  type Backend,
  type BackendHealth,
  type Bind,
  type FrontHandle,
} from './types.ts';

export type SipTransport = 'udp' | 'tcp';

export interface SipFrontOptions {
  /** Names the files in `dir` (letters, digits, `.`, `_`, `-`). */
  name: string;
  bind: Bind;
  /** What the front listens on (both on `bind`); requests go on to the replicas over the transport they came on. */
  transports: SipTransport[];
  backends: Backend[];
  /** Directory for the configuration, the destination list, the ctl socket and the log (the caller owns it). */
  dir: string;
  /** Kamailio worker processes per listener (default 2). */
  workers?: number;
  /** Timer F towards a replica in ms (default 2000): how long before the next replica is tried. */
  frTimerMs?: number;
}

export interface KamailioConfigOptions {
  name: string;
  bind: Bind;
  transports: SipTransport[];
  /** Absolute path of the dispatcher destination list. */
  dispatcherList: string;
  /** Absolute path of the ctl module's BINRPC Unix socket (kamcmd -s unix:<path>). */
  ctlSocket: string;
  /** Directory of the Kamailio modules (default: Debian's). */
  modulesDir?: string;
  workers?: number;
  frTimerMs?: number;
}

/** The dispatcher set every replica is in. */
export const DISPATCHER_SET = 1;

/** Where Debian puts the modules: /usr/lib/<multiarch triplet>/kamailio/modules ($MCX_KAMAILIO_MODULES overrides). */
export function kamailioModulesDir(): string {
  const fromEnv = process.env['MCX_KAMAILIO_MODULES'];
  if (fromEnv) return fromEnv;
  try {
    for (const triplet of readdirSync('/usr/lib')) {
      const dir = join('/usr/lib', triplet, 'kamailio', 'modules');
      if (existsSync(join(dir, 'dispatcher.so'))) return dir;
    }
  } catch {
    // no /usr/lib: the configuration check names the missing module
  }
  return '/usr/lib/x86_64-linux-gnu/kamailio/modules';
}

/** The SIP URI of a replica in the destination list (`sip:host:port`; the transport is chosen per request). */
export const dispatcherUri = (b: Backend) => `sip:${hostPort(b)}`;

/**
 * The dispatcher destination list (README.dispatcher, "Destination List File"):
 * `setid destination flags priority attrs`, flags 0 (active; probing keeps it honest), attrs
 * `duid=<backend name>`.
 */
export function renderDispatcherList(backends: Backend[]): string {
  return `# setid destination flags priority attrs (written by @mcx/front)\n${backends
    .map((b) => `${DISPATCHER_SET} ${dispatcherUri(b)} 0 0 duid=${b.name}`)
    .join('\n')}\n`;
}

/**
 * kamailio.cfg of one front (README, "SIP front"):
 * - a transaction-stateful proxy (tm) without record_route: the front is not in any dialog's
 *   route set; every request that reaches it, initial or within a dialog, is relayed with its
 *   Request-URI unchanged to the replica `ds_select_dst(1, 0)` picks by a hash over the Call-ID,
 *   so the requests of one dialog reach the same replica while it is up;
 * - the request leaves over the transport it came on (`t_relay_to_udp`/`t_relay_to_tcp`);
 * - a branch that gets no answer in `fr_timer` (default 2 s instead of tm's 30 s), or a transport
 *   error (TCP connect refused), marks the replica inactive (`ds_mark_dst("ip")`: inactive and
 *   probing) and the next replica is tried (`ds_next_dst`); a 5xx or 408 answered by a replica is
 *   tried on the next replica too, without marking it down (an overloaded replica's 503 answers
 *   OPTIONS too and comes back on its own);
 * - every replica is probed with OPTIONS every second (`ds_probing_mode` 1), one failure marks it
 *   inactive (`ds_probing_threshold` 1), one 200 active again (`ds_inactive_threshold` 1);
 * - an OPTIONS with `Max-Forwards: 0` is answered 200 by the front itself (RFC 3261 clause 16.3
 *   item 3, clause 11): the readiness probe; any other request with `Max-Forwards: 0` gets 483.
 */
export function renderKamailioConfig(o: KamailioConfigOptions): string {
  checkFrontOptions({ name: o.name, bind: o.bind, backends: [{ name: 'x', host: '127.0.0.1', port: 1 }] });
  if (o.transports.length === 0) throw new Error(`front ${o.name}: no transports`);
  const workers = o.workers ?? 2;
  const frTimer = o.frTimerMs ?? 2000;
  const listens = [...new Set(o.transports)].map((t) => `listen=${t}:${hostPort(o.bind)}`).join('\n');
  const tcp = o.transports.includes('tcp');
  return `#!KAMAILIO
# Written by @mcx/front (libs/front/src/kamailio.ts) for front ${o.name}.
debug=2
log_stderror=yes
log_prefix="{$mt $ci} "
children=${workers}
auto_aliases=no
dns=no
rev_dns=no
${listens}
${tcp ? `disable_tcp=no\ntcp_children=${workers}\n# large SIP bodies (resource-lists, xcap-diff) must fit the TCP read buffer\ntcp_rd_buf_size=65536\ntcp_connection_lifetime=3605\n` : 'disable_tcp=yes\n'}
mpath="${o.modulesDir ?? kamailioModulesDir()}/"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "sanity.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "xlog.so"
loadmodule "ctl.so"
loadmodule "dispatcher.so"

modparam("ctl", "binrpc", "unix:${o.ctlSocket}")
# Timer F towards a replica: a dead one is left for the next after ${frTimer} ms.
modparam("tm", "fr_timer", ${frTimer})
modparam("tm", "fr_inv_timer", ${frTimer})
modparam("dispatcher", "list_file", "${o.dispatcherList}")
# 2: failover (the other destinations kept for ds_next_dst)
modparam("dispatcher", "flags", 2)
modparam("dispatcher", "ds_ping_method", "OPTIONS")
modparam("dispatcher", "ds_ping_from", "sip:front-${o.name}@${hostPort(o.bind)}")
modparam("dispatcher", "ds_ping_interval", 1)
modparam("dispatcher", "ds_probing_mode", 1)
modparam("dispatcher", "ds_probing_threshold", 1)
modparam("dispatcher", "ds_inactive_threshold", 1)
modparam("dispatcher", "ds_ping_reply_codes", "class=2")

request_route {
  if (!mf_process_maxfwd_header("70")) {
    # RFC 3261 clause 16.3 item 3: an OPTIONS with Max-Forwards 0 may be answered here (clause 11)
    if (is_method("OPTIONS")) {
      sl_send_reply("200", "OK");
    } else {
      sl_send_reply("483", "Too Many Hops");
    }
    exit;
  }
  if (!sanity_check()) {
    exit;
  }
  # responses go to where the request came from (RFC 3581)
  force_rport();
  if (is_method("ACK|CANCEL")) {
    if (t_check_trans()) {
      t_relay();
    }
    exit;
  }
  if (!ds_select_dst("${DISPATCHER_SET}", "0")) {
    sl_send_reply("503", "No Replica Available");
    exit;
  }
  t_on_failure("NEXT_REPLICA");
  # a send error (TCP connect refused) leaves the transaction to this script instead of a 500
  t_set_disable_internal_reply(1);
  route(RELAY);
  exit;
}

# To $du; a replica that cannot be reached at all is marked inactive and the next one is tried.
route[RELAY] {
  while (!route(SEND)) {
    xlog("L_NOTICE", "front ${o.name}: cannot send to $du, marking it inactive\\n");
    ds_mark_dst("ip");
    if (!ds_next_dst()) {
      t_reply("503", "No Replica Available");
      exit;
    }
  }
}

# Over the transport the request came on.
route[SEND] {
  if ($pr == "tcp") {
    if (t_relay_to_tcp()) {
      return 1;
    }
    return -1;
  }
  if (t_relay_to_udp()) {
    return 1;
  }
  return -1;
}

failure_route[NEXT_REPLICA] {
  if (t_is_canceled()) {
    exit;
  }
  if (!t_branch_replied()) {
    # no answer at all (timeout, connect refused): this replica is down until a probe answers
    xlog("L_NOTICE", "front ${o.name}: no answer from $du, marking it inactive\\n");
    ds_mark_dst("ip");
  } else if (!t_check_status("408|5[0-9][0-9]")) {
    exit;
  }
  if (ds_next_dst()) {
    t_on_failure("NEXT_REPLICA");
    route(RELAY);
  }
}
`;
}


/** One destination of `kamcmd dispatcher.list`. */
export interface DispatcherDestination {
  uri: string;
  flags: string;
}

/**
 * Reads the destinations out of kamcmd's text rendering of the `dispatcher.list` RPC
 * (`DEST: { URI: sip:... FLAGS: AP ... }`).
 */
export function parseDispatcherList(text: string): DispatcherDestination[] {
  const out: DispatcherDestination[] = [];
  let uri: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^\s*(URI|FLAGS):\s*(\S+)\s*$/.exec(line);
    if (!m) continue;
    if (m[1] === 'URI') uri = m[2];
    else if (uri) {
      out.push({ uri, flags: m[2]! });
      uri = undefined;
    }
  }
  return out;
}

/**
 * A destination takes requests while its state (first flag letter) is A (active) or T (trying:
 * a probe failed, below the threshold); I (inactive) and D (disabled) do not (README.dispatcher,
 * `ds_mark_dst`). The second letter is P (probing) or X.
 */
export const dispatcherUp = (flags: string) => flags.startsWith('A') || flags.startsWith('T');

/** A SIP OPTIONS with Max-Forwards 0 over UDP to `bind`, retransmitted until a 200 comes back. */
export function sipOptionsPing(bind: Bind, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const s = createSocket(bind.host.includes(':') ? 'udp6' : 'udp4');
    const callId = randomBytes(8).toString('hex');
    const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
    let timer: NodeJS.Timeout | undefined;
    let retransmit: NodeJS.Timeout | undefined;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      clearInterval(retransmit);
      s.close();
      resolvePromise(ok);
    };
    s.on('error', () => done(false));
    s.on('message', (m) => {
      const text = m.toString('utf8');
      if (text.startsWith('SIP/2.0 200') && text.includes(callId)) done(true);
    });
    s.bind(0, bind.host, () => {
      const local = s.address();
      const target = hostPort(bind);
      const msg = Buffer.from(
        `OPTIONS sip:${target} SIP/2.0\r\nVia: SIP/2.0/UDP ${hostPort({ host: local.address, port: local.port })};branch=${branch};rport\r\n` +
          `Max-Forwards: 0\r\nFrom: <sip:probe@${target}>;tag=${callId}\r\nTo: <sip:${target}>\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
      );
      const send = () => s.send(msg, bind.port, bind.host);
      send();
      retransmit = setInterval(send, 100);
      timer = setTimeout(() => done(false), timeoutMs);
    });
  });
}

/** `kamcmd -s unix:<socket> <command...>` (stdout; throws on failure). */
export function kamcmd(bin: string, ctlSocket: string, ...command: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      bin,
      ['-s', `unix:${ctlSocket}`, ...command],
      { timeout: 5000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err)
          reject(new Error(`kamcmd ${command.join(' ')} failed: ${err.message}\n${stderr}`, { cause: err }));
        else resolvePromise(stdout);
      },
    );
  });
}

const MAX_UNIX_PATH = 107;

/**
 * Writes `dir/<name>.kamailio.cfg` and `dir/<name>.dispatcher.list`, checks them with
 * `kamailio -c`, runs Kamailio in the foreground (`-DD -E`, runtime dir and ctl socket in `dir`, so
 * several fronts run on one machine; log `dir/<name>.kamailio.log`) and resolves once it answers an
 * OPTIONS ping (UDP) or accepts a connection (TCP only) and its ctl socket answers.
 */
export async function startSipFront(o: SipFrontOptions): Promise<FrontHandle> {
  checkFrontOptions(o);
  if (o.transports.length === 0) throw new Error(`front ${o.name}: no transports`);
  const bin = findProgram('kamailio', 'kamailio', 'MCX_KAMAILIO');
  const kamcmdBin = findProgram('kamcmd', 'kamailio', 'MCX_KAMCMD');
  const dir = resolve(o.dir);
  const configPath = join(dir, `${o.name}.kamailio.cfg`);
  const dispatcherList = join(dir, `${o.name}.dispatcher.list`);
  const logPath = join(dir, `${o.name}.kamailio.log`);
  const ctlSocket = join(dir, `${o.name}.kamailio.ctl`);
  if (Buffer.byteLength(ctlSocket) > MAX_UNIX_PATH) {
    throw new Error(
      `the ctl socket path ${ctlSocket} is longer than ${MAX_UNIX_PATH} bytes (a Unix socket limit): use a shorter dir`,
    );
  }
  writeFileSync(dispatcherList, renderDispatcherList(o.backends));
  writeFileSync(
    configPath,
    renderKamailioConfig({
      name: o.name,
      bind: o.bind,
      transports: o.transports,
      dispatcherList,
      ctlSocket,
      ...(o.workers ? { workers: o.workers } : {}),
      ...(o.frTimerMs ? { frTimerMs: o.frTimerMs } : {}),
    }),
  );
  checkConfig('kamailio', bin, configPath);
  const list = async () => parseDispatcherList(await kamcmd(kamcmdBin, ctlSocket, 'dispatcher.list'));
  const child = await startChild({
    what: `kamailio (front ${o.name})`,
    bin,
    // -DD: the main process stays in the foreground (workers are forked); -E: log to stderr;
    // -Y/-w: runtime and working directory in dir; -m/-M: shared/private memory (MB).
    args: ['-DD', '-E', '-f', configPath, '-Y', dir, '-w', dir, '-m', '64', '-M', '8'],
    cwd: dir,
    logPath,
    probe: async () =>
      (o.transports.includes('udp') ? await sipOptionsPing(o.bind) : await tcpAccepts(o.bind)) &&
      (await list()).length > 0,
  });
  return {
    kind: 'kamailio',
    bind: { ...o.bind },
    configPath,
    logPath,
    async health(): Promise<BackendHealth[]> {
      const dests = await list();
      return o.backends.map((b) => {
        const d = dests.find((x) => x.uri === dispatcherUri(b));
        return { backend: b.name, up: d ? dispatcherUp(d.flags) : false };
      });
    },
    close: () => child.stop(),
  };
}
