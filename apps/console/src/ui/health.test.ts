// The page's health poll against real HTTP: an answer, a closed port (the ecosystem stopped), a
// server that never answers (it hangs) and a lost session, each told apart.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badgeOf, pollHealth } from './health.ts';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    if (req.url === '/gone') return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ id: 'mcx-a', servers: [{ name: 'CMS', up: true }] }]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('health poll', () => {
  it('reports the systems when the console answers', async () => {
    expect(await pollHealth(`${base}/api/systems`)).toMatchObject({ kind: 'up', systems: [{ id: 'mcx-a' }] });
  });

  it('reports the ecosystem unreachable when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await pollHealth(`http://127.0.0.1:${port}/api/systems`)).toEqual({ kind: 'unreachable', reason: 'the console does not answer' });
  });

  it('gives up on a console that does not answer in time', async () => {
    expect(await pollHealth(`${base}/hang`, 300)).toEqual({ kind: 'unreachable', reason: 'the console gave no answer within 300 ms' });
  });

  it('tells a lost session apart', async () => {
    expect(await pollHealth(`${base}/gone`)).toEqual({ kind: 'login' });
  });

  it('shows a badge grey while the ecosystem does not answer, red for a server that is down', () => {
    const cms = { name: 'CMS' as const, url: 'http://x', up: true };
    expect(badgeOf(cms, true)).toBe('up');
    expect(badgeOf({ ...cms, up: false }, true)).toBe('down');
    expect(badgeOf(cms, false)).toBe('unknown');
  });
});
