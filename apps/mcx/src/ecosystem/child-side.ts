/**
 * The child side that every process `mcx` forks shares (system processes, replica processes, UE
 * host processes; our choice): it never outlives its parent (when the IPC channel goes, even
 * after a SIGKILL of the parent, it closes what it runs and exits), it reports a signal it gets
 * instead of acting on it (a terminal's Ctrl-C reaches the whole process group: the parent stops
 * every process once), a close gets {@link CLOSE_DEADLINE_MS} before the process exits anyway, and
 * it answers the parent's usage question (CPU time, and the peak RSS sampled every
 * {@link RSS_SAMPLE_MS} since the last reset) and profiles itself when the parent asks (`mcx bench
 * migration --profile`: a V8 CPU profile of each process, not only of the parent's).
 */

/** How long a close may take before the process exits anyway (our choice). */
export const CLOSE_DEADLINE_MS = 10_000;
/** RSS sampling period while the parent measures (bench). */
export const RSS_SAMPLE_MS = 100;

export interface ChildSide<M> {
  /** To the parent, while the channel is there. */
  send(message: M): void;
  /** Closes what the process runs (once), then exits with `code`. */
  exit(code: number): void;
  /** CPU time (user + system, µs) and the peak RSS; `reset` starts the peak again from now. */
  usage(reset?: boolean): { cpuMicros: number; peakRssBytes: number };
  /**
   * A V8 CPU profile of this process: `file` starts one (a profile already running is stopped and
   * written first), `null` stops it and writes it to its file. Resolves with the bytes written (0 when
   * nothing was written).
   */
  profile(file: string | null): Promise<number>;
}

/** `running()`: what to close at exit (undefined when nothing started yet). */
export function childSide<M>(running: () => Promise<{ close(): Promise<void> } | undefined> | undefined, signalMessage: (signal: string) => M): ChildSide<M> {
  const send = (m: M) => {
    if (process.connected) process.send!(m);
  };
  let closing = false;
  const exit = (code: number) => {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(code), CLOSE_DEADLINE_MS).unref();
    void (running() ?? Promise.resolve(undefined))
      .then((r) => r?.close())
      .catch(() => undefined)
      .then(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => send(signalMessage(signal)));
  process.on('disconnect', () => exit(0));
  let peakRss = 0;
  let sampler: NodeJS.Timeout | undefined;
  let profiler: { stop(): Promise<number> } | undefined;
  const stopProfile = () => {
    const running = profiler;
    profiler = undefined;
    return running ? running.stop() : Promise.resolve(0);
  };
  return {
    send,
    exit,
    async profile(file) {
      const written = await stopProfile();
      if (file !== null) {
        // Loaded only when asked: the profiler the bench's own process uses too.
        const { startV8Profile } = await import('@mcx/v8-profile');
        profiler = await startV8Profile(file);
      }
      return written;
    },
    usage(reset = false) {
      if (reset || !sampler) {
        peakRss = process.memoryUsage.rss();
        sampler ??= setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), RSS_SAMPLE_MS).unref();
      }
      const cpu = process.cpuUsage();
      return { cpuMicros: cpu.user + cpu.system, peakRssBytes: Math.max(peakRss, process.memoryUsage.rss()) };
    },
  };
}
