/** What both fronts share: the replicas behind them and the handle of a running front. */

/** One replica of a server role (an instance of the CMS, GMS or MCS). */
export interface Backend {
  /** Unique within the front, e.g. `cms-1` (letters, digits, `.`, `_`, `-`). */
  name: string;
  host: string;
  port: number;
}

export interface Bind {
  host: string;
  port: number;
}

export interface BackendHealth {
  backend: string;
  up: boolean;
}

export interface FrontHandle {
  /** `haproxy` or `kamailio`. */
  readonly kind: string;
  readonly bind: Bind;
  /** The configuration file the front runs with. */
  readonly configPath: string;
  /** Where the program's stdout and stderr go. */
  readonly logPath: string;
  /**
   * Per backend, up or down as the front itself sees it now (HAProxy: `show stat` on its stats
   * socket; Kamailio: the `dispatcher.list` RPC through its ctl socket), in the order of `backends`.
   */
  health(): Promise<BackendHealth[]>;
  /** Stops the program (SIGTERM, SIGKILL after a timeout); leaves the files in `dir`. */
  close(): Promise<void>;
}

const NAME = /^[A-Za-z0-9._-]+$/;

/** Checks what goes into a configuration file verbatim (our own rule: no quoting needed anywhere). */
export function checkFrontOptions(o: { name: string; bind: Bind; backends: Backend[] }): void {
  if (!NAME.test(o.name))
    throw new Error(`front name ${JSON.stringify(o.name)}: letters, digits, '.', '_', '-' only`);
  checkAddress(`front ${o.name} bind`, o.bind);
  if (o.backends.length === 0) throw new Error(`front ${o.name}: no backends`);
  const seen = new Set<string>();
  for (const b of o.backends) {
    if (!NAME.test(b.name))
      throw new Error(`backend name ${JSON.stringify(b.name)}: letters, digits, '.', '_', '-' only`);
    if (seen.has(b.name)) throw new Error(`front ${o.name}: two backends named ${b.name}`);
    seen.add(b.name);
    checkAddress(`backend ${b.name}`, b);
  }
}

function checkAddress(what: string, a: Bind): void {
  if (!/^[A-Za-z0-9.:-]+$/.test(a.host)) throw new Error(`${what}: bad host ${JSON.stringify(a.host)}`);
  if (!Number.isInteger(a.port) || a.port < 1 || a.port > 65535)
    throw new Error(`${what}: bad port ${a.port}`);
}

/** `host:port`, IPv6 literals in brackets. */
export function hostPort(a: Bind): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
