/**
 * When `mcx up` stops (our own choice): on the first SIGINT, SIGTERM or SIGHUP, or when the
 * launcher that spawned it (bin/mcx.js, through an IPC channel) goes away without a signal. A
 * terminal's Ctrl-C reaches the launcher and this process alike (one process group), and the
 * launcher forwards what it receives, so one stop request often arrives twice or more: every
 * later one is acknowledged and ignored, so the close runs once and is never cut short. Once the
 * close is done, a handle that still keeps the event loop alive does not keep the process: it
 * exits after {@link LINGER_MS}.
 *
 * The launcher is told the outcome ("stopped", with the exit code) before the process exits: a
 * Ctrl-C that lands while Node tears the process down (libuv has put the default disposition back
 * by then) kills it with SIGINT after a clean stop, and the launcher must not report that as a failure.
 */

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How long the process may linger after "stopped." (its exit code already set) before it exits anyway. */
export const LINGER_MS = 3_000;

export interface StopRequests {
  /** Resolves with the first request's cause (a signal name, or "launcher gone"). */
  readonly requested: Promise<string>;
  /** A stop request from the program itself (a system's process died, or reported a signal), as a signal would. */
  request(cause: string): void;
  /** True once a stop was requested. */
  readonly stopping: boolean;
  /** The close is done (exit code `code`, 0 by default): the process exits by itself, or after LINGER_MS at the latest. */
  done(code?: number): void;
}

export function stopRequests(print: (line: string) => void): StopRequests {
  let first: string | undefined;
  let resolve!: (cause: string) => void;
  const requested = new Promise<string>((r) => (resolve = r));
  const request = (cause: string) => {
    if (first) {
      print(`${cause}: already stopping (${first})...\n`);
      return;
    }
    first = cause;
    print(`\n${cause}: stopping...\n`);
    resolve(cause);
  };
  // The handlers stay until the process exits: a signal that arrives while it closes, or just after, is not fatal.
  for (const signal of SIGNALS) process.on(signal, () => request(signal));
  if (process.channel) {
    process.on('disconnect', () => request('launcher gone'));
    process.channel.unref(); // the channel alone does not keep the process running
  }
  return {
    requested,
    request,
    get stopping() {
      return first !== undefined;
    },
    done(code = 0) {
      process.removeAllListeners('disconnect');
      if (process.connected) process.send?.({ mcx: 'stopped', code });
      setTimeout(() => process.exit(), LINGER_MS).unref();
    },
  };
}
