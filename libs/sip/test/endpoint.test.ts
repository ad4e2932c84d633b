/**
 * Endpoint behaviour on real sockets: error answers (400 naming the problem, 405, 481, 489),
 * dropped garbage, request routing by method, sending arbitrary requests, and no leaks.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createNotifier, SipRefusal, type SipEndpoint } from '../src/index.ts';
import { endpoint, waitFor } from './helpers.ts';

const open: SipEndpoint[] = [];
const sockets: Array<dgram.Socket | net.Socket> = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) {
    if (s instanceof net.Socket) s.destroy();
    else s.close();
  }
  await Promise.all(open.splice(0).map((e) => e.close()));
});

function request(method: string, extra = '', cseq = `1 ${method}`, branch = `z9hG4bK${Math.random().toString(36).slice(2)}`): string {
  return `${method} sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=${branch}\r\nTo: <sip:x@127.0.0.1>\r\nFrom: <sip:t@127.0.0.1>;tag=t1\r\nCall-ID: ${Math.random()}@t\r\nCSeq: ${cseq}\r\n${extra}Content-Length: 0\r\n\r\n`;
}

/** A response read leniently: our own parser would drop a response carrying the malformed CSeq we sent. */
interface RawResponse {
  status: number;
  reason: string;
  header(name: string): string[];
}

function readRaw(text: string): RawResponse {
  const [start = '', ...lines] = text.split('\r\n\r\n')[0]!.split('\r\n');
  const m = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(start);
  return {
    status: m ? Number(m[1]) : 0,
    reason: m?.[2] ?? '',
    header: (name) => lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`)).flatMap((l) => l.slice(name.length + 1).split(',').map((v) => v.trim())),
  };
}

async function udpClient(port: number) {
  const s = dgram.createSocket('udp4');
  sockets.push(s);
  const got: RawResponse[] = [];
  s.on('message', (d) => got.push(readRaw(d.toString())));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return { got, send: (text: string) => s.send(Buffer.from(text), port, '127.0.0.1') };
}

it('answers malformed requests with 400 naming the problem and drops garbage', async () => {
  const ep = await endpoint({ tcp: false });
  open.push(ep);
  const c = await udpClient(ep.address('udp').port);
  c.send('complete garbage \x00\xff');
  c.send(request('OPTIONS', '', 'x OPTIONS'));
  await waitFor(() => c.got.length === 1, '400');
  expect([c.got[0]!.status, c.got[0]!.reason]).toEqual([400, 'Malformed CSeq header']);
  expect(c.got[0]!.header('to')[0]).toMatch(/;tag=/);
  c.send(request('OPTIONS', 'Content-Length: 5\r\n'));
  await waitFor(() => c.got.length === 2, 'second 400');
  expect(c.got[1]!.reason).toBe('Multiple Content-Length headers');
  c.send(request('FOO'));
  await waitFor(() => c.got.length === 3, '405');
  expect(c.got[2]!.status).toBe(405);
  expect(c.got[2]!.header('allow')).toContain('OPTIONS');
  c.send(request('NOTIFY', 'Event: xcap-diff\r\nSubscription-State: active\r\n'));
  await waitFor(() => c.got.length === 4, '481');
  expect(c.got[3]!.status).toBe(481);
  c.send(request('SUBSCRIBE', 'Event: presence\r\n'));
  await waitFor(() => c.got.length === 5, '489');
  expect(c.got[4]!.status).toBe(489);
  // In-dialog request for an unknown dialog (To tag present) => 481 (RFC 3261 clause 12.2.2).
  c.send(request('SUBSCRIBE', 'Event: presence\r\n').replace('To: <sip:x@127.0.0.1>', 'To: <sip:x@127.0.0.1>;tag=gone'));
  await waitFor(() => c.got.length === 6, '481 in dialog');
  expect(c.got[5]!.status).toBe(481);
});

it('hands other methods to onRequest handlers and sends arbitrary requests (REGISTER/PUBLISH)', async () => {
  const server = await endpoint();
  const client = await endpoint();
  open.push(server, client);
  const seen: string[] = [];
  server.onRequest('PUBLISH', (req) => {
    seen.push(req.message.body);
    req.respond(200, 'OK', { headers: { 'SIP-ETag': 'e1', Expires: '60' } });
  });
  server.onRequest('REGISTER', () => {
    throw new Error('handler bug');
  });
  for (const protocol of ['udp', 'tcp'] as const) {
    const res = await client.request({
      method: 'PUBLISH', uri: server.uri(protocol), from: '<sip:alice@example.net>',
      headers: { Event: 'presence' }, body: `<doc via="${protocol}"/>`, contentType: 'application/pidf+xml',
    });
    expect([res.status, res.headers.get('sip-etag')]).toEqual([200, 'e1']);
  }
  expect(seen).toEqual(['<doc via="udp"/>', '<doc via="tcp"/>']);
  const broken = await client.request({ method: 'REGISTER', uri: server.uri('udp'), from: '<sip:alice@example.net>' });
  expect(broken.status).toBe(500);
  const options = await client.request({ method: 'OPTIONS', uri: server.uri('tcp'), from: '<sip:alice@example.net>' });
  expect(options.status).toBe(200);
  expect(options.headers.getAll('allow')).toEqual(expect.arrayContaining(['PUBLISH', 'REGISTER']));
});

it('resolves a local 408 when nobody answers and 503 when the TCP peer is unreachable', async () => {
  const client = await endpoint({ timers: { t1: 10, t2: 80, t4: 50 } });
  open.push(client);
  const silent = dgram.createSocket('udp4');
  sockets.push(silent);
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  const timeout = await client.request({ method: 'OPTIONS', uri: `sip:x@127.0.0.1:${silent.address().port}`, from: '<sip:a@b>' });
  expect([timeout.status, timeout.local]).toEqual([408, true]);
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const refused = await client.request({ method: 'OPTIONS', uri: `sip:x@127.0.0.1:${port};transport=tcp`, from: '<sip:a@b>' });
  expect([refused.status, refused.local]).toEqual([503, true]);
});

it('frames several messages in one TCP segment and closes a connection that sends garbage framing', async () => {
  const ep = await endpoint({ udp: false });
  open.push(ep);
  const sock = net.connect(ep.address('tcp').port, '127.0.0.1');
  sockets.push(sock);
  sock.on('error', () => undefined); // the endpoint resets the connection on purpose
  await new Promise((r) => sock.once('connect', r));
  let data = '';
  sock.on('data', (d) => (data += d.toString()));
  const tcp = (m: string) => m.replace('SIP/2.0/UDP', 'SIP/2.0/TCP');
  sock.write(tcp(request('OPTIONS')) + tcp(request('FOO')));
  await waitFor(() => /SIP\/2\.0 405/.test(data) && /SIP\/2\.0 200/.test(data), 'two responses');
  const closed = new Promise((r) => sock.once('close', r));
  sock.write('X'.repeat(2 * 1024 * 1024));
  await closed;
  expect(sock.destroyed).toBe(true);
});

it('does not leak transactions, timers or routes after a storm of good, bad and garbage messages', async () => {
  const ep = await endpoint({ tcp: false });
  open.push(ep);
  const notifier = createNotifier({
    endpoint: ep, event: 'xcap-diff', contentType: 'application/xcap-diff+xml',
    authorize: () => ({ ok: false, refusal: new SipRefusal(403, 'No Token') }), initialBody: () => '',
  });
  const c = await udpClient(ep.address('udp').port);
  const N = 600;
  for (let i = 0; i < N; i++) {
    const kind = i % 4;
    if (kind === 0) c.send(`garbage ${i}`);
    else if (kind === 1) c.send(request('OPTIONS', '', 'bad OPTIONS'));
    else if (kind === 2) c.send(request('SUBSCRIBE', 'Event: xcap-diff\r\nContact: <sip:t@127.0.0.1:9>\r\n'));
    else c.send(request('OPTIONS'));
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  await waitFor(() => c.got.length >= (N * 3) / 4 - 5, 'answers');
  expect(c.got.filter((r) => r.status === 403).length).toBeGreaterThan(0);
  // The answered requests are held as Completed server transactions (RFC 3261 clause 17.2.2) ...
  expect(ep.stats().serverTransactions).toBeGreaterThan(0);
  expect(ep.stats().timers).toBeGreaterThan(0);
  // ... until Timer J (64*T1 with the test T1) lets every one go. What could leak is what the
  // endpoint and the notifier keep per message: transactions, their timers, dialog routes and
  // subscriptions (a refused SUBSCRIBE creates none).
  await waitFor(() => ep.stats().serverTransactions === 0 && ep.stats().timers === 0, 'transactions drained');
  expect(ep.stats()).toEqual({ clientTransactions: 0, serverTransactions: 0, pendingRequests: 0, refusedForOverload: 0, dialogRoutes: 0, timers: 0 });
  expect(notifier.size).toBe(0);
});
