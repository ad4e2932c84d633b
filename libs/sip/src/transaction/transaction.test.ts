/** Timers E/F/K and J of the non-INVITE transactions (RFC 3261 clause 17.1.2.2, 17.2.2). */
import { expect, it } from 'vitest';
import { Scheduler } from '../scheduler.ts';
import type { Target } from '../transport/transport.ts';
import { ClientTransaction, type ClientFailure } from './client.ts';
import { ServerTransaction } from './server.ts';
import type { SipResponse } from '../message/message.ts';
import { SipHeaders } from '../message/headers.ts';

const target: Target = { protocol: 'udp', host: '127.0.0.1', port: 9 };
const timers = { t1: 10, t2: 40, t4: 20 };

function ctx(sent: number[]) {
  const scheduler = new Scheduler();
  return { scheduler, timers, send: async () => void sent.push(Date.now()) };
}
const response = (status: number): SipResponse => ({ kind: 'response', status, reason: '', headers: new SipHeaders(), body: '' });
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 2));
};

it('client: retransmits over UDP until answered, then absorbs the retransmitted final response', async () => {
  const sent: number[] = [];
  const got: number[] = [];
  let terminated = false;
  const tx = new ClientTransaction(ctx(sent), 'k', Buffer.from('x'), target, false, {
    onResponse: (r) => got.push(r.status), onFailure: () => undefined, onTerminated: () => (terminated = true),
  });
  tx.start();
  await until(() => sent.length >= 3);
  tx.receive(response(200));
  tx.receive(response(200));
  expect(got).toEqual([200]);
  expect(tx.state).toBe('completed');
  const count = sent.length;
  await until(() => terminated); // Timer K
  expect(sent.length).toBe(count);
});

it('client: Timer F reports a timeout after 64*T1 and a reliable transport sends once', async () => {
  const sent: number[] = [];
  const failures: ClientFailure[] = [];
  const tx = new ClientTransaction(ctx(sent), 'k', Buffer.from('x'), target, false, {
    onResponse: () => undefined, onFailure: (f) => failures.push(f), onTerminated: () => undefined,
  });
  tx.start();
  await until(() => failures.length > 0);
  expect(failures).toEqual(['timeout']);
  // Intervals double from T1 and cap at T2: 10,20,40,40,... within 640 ms => about 7-18 sends.
  expect(sent.length).toBeGreaterThan(4);
  expect(sent.length).toBeLessThan(64);
  const reliableSent: number[] = [];
  const tcp = new ClientTransaction(ctx(reliableSent), 'k2', Buffer.from('x'), { ...target, protocol: 'tcp' }, true, {
    onResponse: () => undefined, onFailure: (f) => failures.push(f), onTerminated: () => undefined,
  });
  tcp.start();
  await until(() => failures.length > 1);
  expect(reliableSent).toHaveLength(1);
});

it('client: a transport error is reported at once', async () => {
  const failures: ClientFailure[] = [];
  const scheduler = new Scheduler();
  const tx = new ClientTransaction({ scheduler, timers, send: async () => { throw new Error('ECONNREFUSED'); } }, 'k', Buffer.from('x'), target, true, {
    onResponse: () => undefined, onFailure: (f) => failures.push(f), onTerminated: () => undefined,
  });
  tx.start();
  await until(() => failures.length > 0);
  expect(failures).toEqual(['transport']);
});

it('server: absorbs retransmissions while Trying, repeats the final response while Completed, ends after Timer J', async () => {
  const sent: number[] = [];
  let terminated = false;
  const tx = new ServerTransaction(ctx(sent), 'k', target, false, () => (terminated = true));
  tx.retransmission();
  expect(sent).toHaveLength(0);
  expect(tx.respond(Buffer.from('SIP/2.0 200 OK'), 200)).toBe(true);
  expect(tx.respond(Buffer.from('SIP/2.0 500 no'), 500)).toBe(false);
  tx.retransmission();
  await until(() => sent.length === 2);
  await until(() => terminated);
  expect(tx.state).toBe('terminated');
});
