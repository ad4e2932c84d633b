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
import { childSide } from './child-side.ts';
import type { FromUeHostProcess, StartUeHost, ToUeHostProcess } from './ue-host-process-messages.ts';

export function runUeHostProcess(): Promise<number> {
  if (!process.send || !process.connected) throw new Error('mcx ue-host-process runs only as a child of mcx bench (it needs its IPC channel); run a UE host of your own with mcx ue-host');
  let host: Promise<UeHostHandle> | undefined;
  const child = childSide<FromUeHostProcess>(() => host, (signal) => ({ type: 'signal', signal }));
  const { send, exit } = child;
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
        send({ type: 'usage', ...child.usage(m.reset) });
        return;
      case 'profile':
        child.profile(m.file).then(
          (bytes) => send({ type: 'profiled', bytes }),
          (err: unknown) => send({ type: 'profiled', bytes: 0, error: (err as Error).message ?? String(err) }),
        );
        return;
      case 'stop':
        exit(0);
        return;
    }
  });
  // The process ends through exit(), never by returning.
  return new Promise<number>(() => undefined);
}
