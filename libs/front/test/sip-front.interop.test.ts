/**
 * Interop: Kamailio's dispatcher as the SIP front of two replicas (SipEndpoints of @mcx/sip), over
 * UDP and over TCP: the requests of one Call-ID (SUBSCRIBE, MESSAGE, OPTIONS) all reach the same
 * replica, different Call-IDs reach both, a closed replica's requests go to the other one (after
 * fr_timer or a refused connect) and health() reports it down, then up again once it listens again.
 * Interop tier: not part of `npm test`; `npm run test:interop` runs it (kamailio and kamcmd in
 * /usr/sbin, or $MCX_KAMAILIO and $MCX_KAMCMD).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { SipEndpoint, type SipResponse } from '@mcx/sip';
import { startSipFront, type FrontHandle, type SipTransport } from '../src/index.ts';
import { freePort, scratchDir, waitFor } from './helpers.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const EVENT = 'mcx-front-test';

/** A replica on UDP and TCP of one port; its name comes back in the `Server` header of every answer. */
async function replica(name: string, port?: number): Promise<{ port: number; endpoint: SipEndpoint }> {
  for (let attempt = 0; ; attempt++) {
    const p = port ?? (await freePort(true));
    let endpoint: SipEndpoint;
    try {
      endpoint = await SipEndpoint.create({
        udp: { host: '127.0.0.1', port: p },
        tcp: { host: '127.0.0.1', port: p },
        userAgent: name,
      });
    } catch (err) {
      if (port !== undefined || attempt > 5) throw err;
      continue;
    }
    endpoint.onSubscribe(EVENT, (req) => req.respond(200, 'OK', { headers: { Expires: '0' } }));
    endpoint.onRequest('MESSAGE', (req) => req.respond(200, 'OK'));
    cleanups.push(() => endpoint.close());
    return { port: p, endpoint };
  }
}

describe.each<SipTransport>(['udp', 'tcp'])('SIP front over %s', (transport) => {
  it('keeps a Call-ID on one replica, spreads Call-IDs, fails over to the other replica and sees it come back', async () => {
    const a = await replica('mcs-1');
    const b = await replica('mcs-2');
    const scratch = scratchDir();
    cleanups.push(scratch.remove);
    const port = await freePort(true);
    const front: FrontHandle = await startSipFront({
      name: 'mcs',
      bind: { host: '127.0.0.1', port },
      transports: ['udp', 'tcp'],
      backends: [
        { name: 'mcs-1', host: '127.0.0.1', port: a.port },
        { name: 'mcs-2', host: '127.0.0.1', port: b.port },
      ],
      dir: scratch.dir,
    });
    cleanups.push(() => front.close());
    expect(front.kind).toBe('kamailio');
    await waitFor(async () => (await front.health()).every((h) => h.up), 'both replicas up');

    const ue = await SipEndpoint.create({ udp: { host: '127.0.0.1' }, tcp: { host: '127.0.0.1' } });
    cleanups.push(() => ue.close());
    const target = { protocol: transport, host: '127.0.0.1', port };
    const uri = `sip:mcs@127.0.0.1:${port}`;
    let cseq = 1;
    const send = (method: string, callId: string): Promise<SipResponse> =>
      ue.request({
        method,
        uri,
        from: `<sip:alice@example.net>`,
        callId,
        cseq: cseq++,
        target,
        headers: {
          Contact: ue.contact(transport),
          ...(method === 'SUBSCRIBE' ? { Event: EVENT, Expires: '0' } : {}),
        },
        ...(method === 'MESSAGE' ? { body: 'hello', contentType: 'text/plain' } : {}),
      });
    const servedBy = (r: SipResponse) => {
      expect(r.status).toBe(200);
      return r.headers.get('server');
    };

    // One Call-ID: every request of it reaches the same replica.
    const byCallId = new Map<string, string>();
    for (let i = 0; i < 16; i++) {
      const callId = randomUUID();
      const names = new Set<string | undefined>();
      for (const method of ['SUBSCRIBE', 'MESSAGE', 'OPTIONS', 'SUBSCRIBE'])
        names.add(servedBy(await send(method, callId)));
      expect(names.size).toBe(1);
      byCallId.set(callId, [...names][0]!);
    }
    // Different Call-IDs: both replicas (16 random Call-IDs all on one replica: 1 in 32768).
    expect(new Set(byCallId.values())).toEqual(new Set(['mcs-1', 'mcs-2']));

    // mcs-1 goes away: its Call-IDs are served by mcs-2 (after fr_timer on UDP, a refused connect on TCP).
    await a.endpoint.close();
    for (const [callId] of byCallId) expect(servedBy(await send('MESSAGE', callId))).toBe('mcs-2');
    await waitFor(
      async () => (await front.health()).find((h) => h.backend === 'mcs-1')?.up === false,
      'mcs-1 reported down',
    );
    expect(await front.health()).toEqual([
      { backend: 'mcs-1', up: false },
      { backend: 'mcs-2', up: true },
    ]);
    for (const [callId] of byCallId) expect(servedBy(await send('OPTIONS', callId))).toBe('mcs-2');

    // mcs-1 is back on its port: the probes mark it active and its Call-IDs return to it.
    await replica('mcs-1', a.port);
    await waitFor(async () => (await front.health()).every((h) => h.up), 'mcs-1 reported up again');
    for (const [callId, name] of byCallId) expect(servedBy(await send('MESSAGE', callId))).toBe(name);
  });
});

it('rejects with the log tail when Kamailio cannot start, and names a missing binary', async () => {
  const scratch = scratchDir();
  cleanups.push(scratch.remove);
  const saved = process.env['MCX_KAMAILIO'];
  process.env['MCX_KAMAILIO'] = '/nonexistent/kamailio';
  try {
    await expect(
      startSipFront({
        name: 'none',
        bind: { host: '127.0.0.1', port: 1 },
        transports: ['udp'],
        backends: [{ name: 'x', host: '127.0.0.1', port: 2 }],
        dir: scratch.dir,
      }),
    ).rejects.toThrow(/kamailio not found.*apt-get install kamailio/);
  } finally {
    if (saved === undefined) delete process.env['MCX_KAMAILIO'];
    else process.env['MCX_KAMAILIO'] = saved;
  }
  // A bind address that is not on this machine: the configuration check passes, the start fails.
  await expect(
    startSipFront({
      name: 'nowhere',
      bind: { host: '192.0.2.1', port: 5060 },
      transports: ['udp'],
      backends: [{ name: 'x', host: '127.0.0.1', port: 2 }],
      dir: scratch.dir,
    }),
  ).rejects.toThrow(
    /kamailio \(front nowhere\) exited before it was ready[\s\S]*192\.0\.2\.1: Cannot assign requested address/,
  );
});
