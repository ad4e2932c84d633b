/**
 * A UE host process (the child side of `mcx bench migration --ue-hosts N`): one UE host in a child
 * process forked from the mcx entry (`mcx ue-host-process`, not a user command), started with the
 * options its parent sends over IPC (ue-host-process-messages.ts) and driven over its control API.
 * Its CPU time and peak RSS are its own (process.cpuUsage, memoryUsage) and are reported on the
 * parent's `usage` message, as a system process does (system-process.ts).
 *
 * It never outlives its parent: when the IPC channel goes it closes the host and exits. A signal it
 * gets is reported to the parent, which stops every process once.
 */
import type { UeHostHandle } from '@mcx/ue';
import type { FromUeHostProcess, StartUeHost, ToUeHostProcess } from './ue-host-process-messages.ts';

/** How long a close may take before the process exits anyway (our choice, as for a system process). */
const CLOSE_DEADLINE_MS = 10_000;
/** RSS sampling period while the parent measures. */
const RSS_SAMPLE_MS = 100;

export function runUeHostProcess(): Promise<number> {
  if (!process.send || !process.connected) throw new Error('mcx ue-host-process runs only as a child of mcx bench (it needs its IPC channel); run a UE host of your own with mcx ue-host');
  const send = (m: FromUeHostProcess) => {
    if (process.connected) process.send!(m);
  };
  let host: Promise<UeHostHandle> | undefined;
  let closing = false;
  const exit = (code: number) => {
    if (closing) return;
    closing = true;
    setTimeout(() => process.exit(code), CLOSE_DEADLINE_MS).unref();
    void (host ?? Promise.resolve(undefined))
      .then((h) => h?.close())
      .catch(() => undefined)
      .then(() => process.exit(code));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => send({ type: 'signal', signal }));
  process.on('disconnect', () => exit(0));

  let peakRss = 0;
  let sampler: NodeJS.Timeout | undefined;
  // The UE host's modules load now, while the parent prepares.
  const modules = Promise.all([import('@mcx/ue'), import('@mcx/lab-ca')]);
  modules.catch(() => undefined); // awaited in start
  const start = async (m: StartUeHost) => {
    const [{ startUeHost }, { trustLabCa }] = await modules;
    if (m.caPem) trustLabCa(m.caPem);
    host = startUeHost(m.config);
    const h = await host;
    send({ type: 'started', url: h.url, sip: h.endpoint.uri('udp') });
  };
  process.on('message', (m: ToUeHostProcess) => {
    switch (m.type) {
      case 'start':
        start(m).catch((err: unknown) => {
          send({ type: 'failed', message: (err as Error).message ?? String(err) });
          exit(1);
        });
        return;
      case 'usage':
        if (m.reset || !sampler) {
          peakRss = process.memoryUsage.rss();
          sampler ??= setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), RSS_SAMPLE_MS).unref();
        }
        {
          const cpu = process.cpuUsage();
          send({ type: 'usage', cpuMicros: cpu.user + cpu.system, peakRssBytes: Math.max(peakRss, process.memoryUsage.rss()) });
        }
        return;
      case 'stop':
        exit(0);
        return;
    }
  });
  // The process ends through exit(), never by returning.
  return new Promise<number>(() => undefined);
}
