// The page's instance badges (issue #17): the poll of /api/instances against real HTTP (an answer,
// a refusal, a closed port), and what a badge and a front line say.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceHealth } from './api.ts';
import { frontText, hostPortOf, instanceAddress, instanceBadge, instanceTitle, pollInstances } from './instances.ts';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/gone') return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ id: 'mcx-a', name: 'A', instances: [], fronts: [] }]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const cms2: InstanceHealth = {
  role: 'cms',
  replica: 2,
  http: 'https://127.0.0.1:41011',
  sip: 'sip:cms@127.0.0.1:41012;transport=udp',
  process: 'replica-2',
  pid: 4242,
  up: false,
  checks: [
    { kind: 'http', target: 'https://127.0.0.1:41011', up: false, detail: 'fetch failed' },
    { kind: 'sip', target: 'sip:cms@127.0.0.1:41012;transport=udp', up: false, detail: 'no answer to OPTIONS within 2000 ms' },
  ],
  seenByFront: { haproxy: false, kamailio: true },
};

describe('instance badges', () => {
  it('polls /api/instances, and gives nothing for a refusal or a console that is gone', async () => {
    expect(await pollInstances(`${base}/api/instances`)).toEqual([{ id: 'mcx-a', name: 'A', instances: [], fronts: [] }]);
    expect(await pollInstances(`${base}/gone`)).toBeUndefined();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await pollInstances(`http://127.0.0.1:${port}/api/instances`)).toBeUndefined();
  });

  it('shows the instance\'s own address, its process, every check and the fronts\' view', () => {
    expect(hostPortOf('https://127.0.0.1:41011')).toBe('127.0.0.1:41011');
    expect(hostPortOf('sip:mcptt@[::1]:5062;transport=udp')).toBe('[::1]:5062');
    expect(instanceAddress(cms2)).toBe('127.0.0.1:41011, SIP 41012');
    const { http: _http, ...mcs } = cms2;
    expect(instanceAddress({ ...mcs, role: 'mcs', sip: 'sip:mcptt@127.0.0.1:41013;transport=udp' })).toBe('127.0.0.1:41013');
    expect(instanceBadge(cms2, true)).toBe('down');
    expect(instanceBadge({ ...cms2, up: true }, true)).toBe('up');
    expect(instanceBadge(cms2, false)).toBe('unknown');
    expect(instanceTitle(cms2).split('\n')).toEqual([
      'CMS instance 2 in replica-2 (pid 4242)',
      'HTTP https://127.0.0.1:41011: down (fetch failed)',
      'SIP sip:cms@127.0.0.1:41012;transport=udp: down (no answer to OPTIONS within 2000 ms)',
      'as HAProxy sees it: down',
      'as Kamailio sees it: up',
    ]);
    expect(frontText({ role: 'mcs', kind: 'kamailio', address: '127.0.0.1:7106', backends: [{ replica: 1, up: true }, { replica: 2, up: false }] })).toBe(
      'Kamailio MCS 127.0.0.1:7106: 1 up, 2 down',
    );
    expect(frontText({ role: 'cms', kind: 'haproxy', address: '127.0.0.1:7102' })).toBe('HAProxy CMS 127.0.0.1:7102: view not available here');
  });
});
