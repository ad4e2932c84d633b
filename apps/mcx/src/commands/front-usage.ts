/**
 * CPU time and RSS of the replicas' fronts (HAProxy, Kamailio and Kamailio's forked workers) that
 * this process started, directly or through its child processes (@mcx/mc-system fronts.ts), read
 * from /proc (Linux). `mcx bench migration --replicas N` adds them to the sums as one process
 * share named "fronts": with replicas every request crosses a front, so leaving the fronts out
 * would make the replicated round look cheaper than it is. Our own measure, not a standard one.
 *
 * `cpuMicros` sums the live processes' user + system time at the moment of the call (a worker that
 * exited in between takes its time with it: Kamailio keeps its workers for its whole life, HAProxy
 * is one process, so nothing is lost in practice). `peakRssBytes` is the largest sum of their
 * proportional set sizes (PSS: Kamailio's workers share one shared-memory segment, which a sum of
 * RSS would count once per worker) seen by a call since the last reset (not sampled in between).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const FRONT_PROGRAMS = new Set(['haproxy', 'kamailio']);

interface Stat {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime, clock ticks. */
  ticks: number;
  rssPages: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
  // proc(5): "pid (comm) state ppid ..."; comm may hold spaces and parentheses, so split after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const f = text.slice(close + 2).split(' ');
  // After comm: [0] state, [1] ppid, ... [11] utime, [12] stime, ... [21] rss (pages).
  return { pid, comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), rssPages: Number(f[21]) };
}

/** Proportional set size (bytes) from /proc/<pid>/smaps_rollup; the RSS when that is not readable. */
function pssBytes(s: Stat, page: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${s.pid}/smaps_rollup`, 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // gone, or not readable: the RSS below
  }
  return s.rssPages * page;
}

function sysconf(name: string, fallback: number): number {
  try {
    const v = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    return Number.isFinite(v) && v > 0 ? v : fallback;
  } catch {
    return fallback;
  }
}

export interface FrontUsage {
  usage(reset?: boolean): Promise<{ name: string; cpuMicros: number; peakRssBytes: number }[]>;
}

/** The fronts below `root` (default this process); undefined where /proc is not there. */
export function frontUsage(root = process.pid): FrontUsage | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const tick = sysconf('CLK_TCK', 100);
  const page = sysconf('PAGESIZE', 4096);
  let peak = 0;
  const sample = () => {
    const all = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map((d) => readStat(Number(d)))
      .filter((s): s is Stat => s !== undefined);
    const children = new Map<number, Stat[]>();
    for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
    // Every descendant of root; the fronts are the haproxy and kamailio processes among them.
    const fronts: Stat[] = [];
    const queue = [...(children.get(root) ?? [])];
    while (queue.length) {
      const s = queue.pop()!;
      if (FRONT_PROGRAMS.has(s.comm)) fronts.push(s);
      queue.push(...(children.get(s.pid) ?? []));
    }
    return {
      cpuMicros: fronts.reduce((t, s) => t + (s.ticks * 1e6) / tick, 0),
      rssBytes: fronts.reduce((t, s) => t + pssBytes(s, page), 0),
    };
  };
  return {
    async usage(reset = false) {
      const now = sample();
      peak = reset ? now.rssBytes : Math.max(peak, now.rssBytes);
      return [{ name: 'fronts', cpuMicros: now.cpuMicros, peakRssBytes: peak }];
    },
  };
}
