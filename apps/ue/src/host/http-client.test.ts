// The UE host's HTTP client: fetch's contract over an undici dispatcher (bodies read whole, kept
// for the tap), redirects as fetch follows them, and a bound on the exchanges in flight per origin.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyBytesOf, dispatcherFetch } from './http-client.ts';

let server: Server;
let base: string;
const agent = new Agent();
let inFlight = 0;
let maxInFlight = 0;
const seen: { method: string; url: string; type: string | undefined; body: string }[] = [];
const held: (() => void)[] = [];

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  seen.push({ method: req.method!, url: req.url!, type: req.headers['content-type'], body });
  const url = new URL(req.url!, base);
  switch (url.pathname) {
    case '/doc':
      res.writeHead(200, { 'content-type': 'application/xml', etag: '"e1"' }).end('<doc>é</doc>');
      return;
    case '/cookies':
      res.writeHead(200, [['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['content-type', 'text/plain']]).end('ok');
      return;
    case '/moved':
      res.writeHead(302, { location: '/doc' }).end('moved');
      return;
    case '/see-other':
      res.writeHead(303, { location: '/doc' }).end();
      return;
    case '/not-modified':
      res.writeHead(304, { etag: '"e1"' }).end();
      return;
    case '/busy':
      res.writeHead(503, { 'retry-after': '2', 'content-type': 'text/plain' }).end('overloaded');
      return;
    case '/slow': {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      held.push(() => {
        inFlight -= 1;
        res.writeHead(200, { 'content-type': 'text/plain' }).end('late');
      });
      return;
    }
    default:
      res.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await agent.close();
});

describe('dispatcherFetch', () => {
  const http = dispatcherFetch(agent);

  it('answers a GET with a Response (status, headers, UTF-8 body) and keeps the bytes it read for the tap', async () => {
    const res = await http(`${base}/doc`, { headers: { authorization: 'Bearer x' } });
    expect([res.status, res.headers.get('etag'), res.headers.get('content-type')]).toEqual([200, '"e1"', 'application/xml']);
    expect(bodyBytesOf(res)?.toString('utf8')).toBe('<doc>é</doc>');
    expect(await res.clone().text()).toBe('<doc>é</doc>');
    expect(await res.text()).toBe('<doc>é</doc>');
    expect(bodyBytesOf(new Response('other'))).toBeUndefined();
  });

  it('sends a form as fetch does (URLSearchParams: its content type) and a string body as given', async () => {
    seen.length = 0;
    await http(`${base}/doc`, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r t' }) });
    await http(`${base}/doc`, { method: 'PUT', body: '<x/>', headers: { 'Content-Type': 'application/xml' } });
    expect(seen).toEqual([
      { method: 'POST', url: '/doc', type: 'application/x-www-form-urlencoded;charset=UTF-8', body: 'grant_type=refresh_token&refresh_token=r+t' },
      { method: 'PUT', url: '/doc', type: 'application/xml', body: '<x/>' },
    ]);
  });

  it('keeps each Set-Cookie, answers 304 and a 503 with their headers', async () => {
    expect((await http(`${base}/cookies`)).headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    const notModified = await http(`${base}/not-modified`, { headers: { 'if-none-match': '"e1"' } });
    expect([notModified.status, notModified.body, await notModified.text()]).toEqual([304, null, '']);
    const busy = await http(`${base}/busy`);
    expect([busy.status, busy.headers.get('retry-after'), await busy.text()]).toEqual([503, '2', 'overloaded']);
  });

  it('follows redirects unless told "manual"; a 303 after a POST becomes a GET without body', async () => {
    seen.length = 0;
    const followed = await http(`${base}/moved`);
    expect([followed.status, await followed.text()]).toEqual([200, '<doc>é</doc>']);
    const manual = await http(`${base}/moved`, { redirect: 'manual' });
    expect([manual.status, manual.headers.get('location')]).toEqual([302, '/doc']);
    await http(`${base}/see-other`, { method: 'POST', body: 'x=1' });
    expect(seen.map((s) => `${s.method} ${s.url} ${s.body}`)).toEqual(['GET /moved ', 'GET /doc ', 'GET /moved ', 'POST /see-other x=1', 'GET /doc ']);
  });

  it('has at most maxPerOrigin exchanges in flight per origin; the others wait their turn', async () => {
    const limited = dispatcherFetch(agent, 3);
    const all = Array.from({ length: 7 }, () => limited(`${base}/slow`).then((r) => r.text()));
    // Each round: wait until the server holds as many as may be in flight, then answer them.
    for (let answered = 0; answered < 7; ) {
      const expected = Math.min(3, 7 - answered);
      while (held.length < expected) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20)); // a fourth exchange would arrive now
      const batch = held.splice(0);
      expect(batch).toHaveLength(expected);
      for (const answer of batch) answer();
      answered += batch.length;
    }
    expect(await Promise.all(all)).toEqual(Array(7).fill('late'));
    expect(maxInFlight).toBe(3);
  });
});
