/**
 * Interop: Debian's HAProxy as the HTTP front of two HTTPS replicas holding lab-CA certificates.
 * TLS passes through (the client verifies the replica's certificate against the lab CA),
 * connections spread over both, a replica closed abruptly (its port refuses connections, as after a
 * SIGKILL) is never seen by a client (a refused connect is redispatched) and health() reports it
 * down, then up again once it listens again.
 * Interop tier: not part of `npm test`; `npm run test:interop` runs it (haproxy in /usr/sbin or $MCX_HAPROXY).
 */
import https from 'node:https';
import type { Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { throwAwayLabCa, type TlsCredentials } from '@mcx/lab-ca';
import { startHttpFront, type FrontHandle } from '../src/index.ts';
import { freePort, scratchDir, waitFor } from './helpers.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An HTTPS replica answering its own name; `kill()` drops the listener and every connection at once. */
async function replica(name: string, tls: TlsCredentials, port = 0) {
  const sockets = new Set<Socket>();
  const server = https.createServer(tls, (_req, res) => res.end(name));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  let alive = true;
  const kill = () => {
    if (!alive) return;
    alive = false;
    server.close();
    for (const s of sockets) s.destroy();
  };
  cleanups.push(kill);
  return { port: (server.address() as { port: number }).port, kill };
}

/** One GET on a new connection, verifying the server certificate against the lab CA. */
function get(port: number, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: '/', ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

it('passes TLS through to two replicas, spreads connections, hides a killed replica and sees it come back', async () => {
  const ca = await throwAwayLabCa();
  const tls = await ca.serverCredentials('127.0.0.1');
  const a = await replica('cms-1', tls);
  const b = await replica('cms-2', tls);
  const scratch = scratchDir();
  cleanups.push(scratch.remove);
  const port = await freePort();
  const front: FrontHandle = await startHttpFront({
    name: 'cms',
    bind: { host: '127.0.0.1', port },
    backends: [
      { name: 'cms-1', host: '127.0.0.1', port: a.port },
      { name: 'cms-2', host: '127.0.0.1', port: b.port },
    ],
    dir: scratch.dir,
  });
  cleanups.push(() => front.close());
  expect(front.kind).toBe('haproxy');
  expect(await front.health()).toEqual([
    { backend: 'cms-1', up: true },
    { backend: 'cms-2', up: true },
  ]);

  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) {
    const r = await get(port, ca.caPem);
    expect(r.status).toBe(200);
    seen.add(r.body);
  }
  expect([...seen].sort()).toEqual(['cms-1', 'cms-2']);

  // A replica vanishes: every following request is still answered, by the other one.
  a.kill();
  for (let i = 0; i < 10; i++) expect(await get(port, ca.caPem)).toEqual({ status: 200, body: 'cms-2' });
  await waitFor(
    async () => (await front.health()).find((h) => h.backend === 'cms-1')?.up === false,
    'cms-1 reported down',
  );
  expect(await front.health()).toEqual([
    { backend: 'cms-1', up: false },
    { backend: 'cms-2', up: true },
  ]);

  // It comes back on its port: the checks take it in again and it gets connections.
  await replica('cms-1', tls, a.port);
  await waitFor(async () => (await front.health()).every((h) => h.up), 'cms-1 reported up again');
  const after = new Set<string>();
  for (let i = 0; i < 6; i++) after.add((await get(port, ca.caPem)).body);
  expect(after.has('cms-1')).toBe(true);
});

it('passes plain HTTP through the same way', async () => {
  const http = await import('node:http');
  const server = http.createServer((_req, res) => res.end('plain'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  const scratch = scratchDir();
  cleanups.push(scratch.remove);
  const port = await freePort();
  const front = await startHttpFront({
    name: 'gms',
    bind: { host: '127.0.0.1', port },
    backends: [{ name: 'gms-1', host: '127.0.0.1', port: (server.address() as { port: number }).port }],
    dir: scratch.dir,
  });
  cleanups.push(() => front.close());
  const res = await fetch(`http://127.0.0.1:${port}/`);
  expect(await res.text()).toBe('plain');
});

it('rejects with the log tail when HAProxy cannot bind, and names a missing binary', async () => {
  const scratch = scratchDir();
  cleanups.push(scratch.remove);
  const taken = await replica('x', await (await throwAwayLabCa()).serverCredentials('127.0.0.1'));
  await expect(
    startHttpFront({
      name: 'busy',
      bind: { host: '127.0.0.1', port: taken.port },
      backends: [{ name: 'x', host: '127.0.0.1', port: taken.port }],
      dir: scratch.dir,
    }),
  ).rejects.toThrow(/haproxy \(front busy\) exited before it was ready[\s\S]*cannot bind socket/i);

  const saved = process.env['MCX_HAPROXY'];
  process.env['MCX_HAPROXY'] = '/nonexistent/haproxy';
  try {
    await expect(
      startHttpFront({
        name: 'none',
        bind: { host: '127.0.0.1', port: 1 },
        backends: [{ name: 'x', host: '127.0.0.1', port: 2 }],
        dir: scratch.dir,
      }),
    ).rejects.toThrow(/haproxy not found.*apt-get install haproxy/);
  } finally {
    if (saved === undefined) delete process.env['MCX_HAPROXY'];
    else process.env['MCX_HAPROXY'] = saved;
  }
});
