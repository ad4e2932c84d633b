// The HTTP tap wraps the UE's own HTTP client: it records request and response while someone
// keeps or listens to messages, and otherwise hands the call on without building anything.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { dispatcherFetch } from '../host/http-client.ts';
import { tapFetch } from './http-tap.ts';
import { Lanes } from './lanes.ts';
import { MessageLog, type MessageInput } from './message-log.ts';

function recordingLog(perUe: number): MessageLog & { recorded: MessageInput[] } {
  const log = new MessageLog(perUe, 1000) as MessageLog & { recorded: MessageInput[] };
  log.recorded = [];
  const record = log.record.bind(log);
  log.record = (m) => {
    log.recorded.push(m);
    record(m);
  };
  return log;
}

const lanes = new Lanes();
lanes.add('http://cms-a.test', 'CMS-A');

describe('tapFetch', () => {
  it('records the request and the response for its UE, tokens redacted', async () => {
    const log = recordingLog(10);
    const base = (async () => new Response('<x/>', { status: 200, headers: { 'content-type': 'application/xml' } })) as typeof fetch;
    const http = tapFetch(base, { ue: 'ue-1', log, lanes });
    const res = await http('http://cms-a.test/xcap-root/a/b', { headers: { authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl' } });
    expect(await res.text()).toBe('<x/>');
    await new Promise((r) => setTimeout(r, 10));
    const msgs = log.since('ue-1');
    expect(msgs.map((m) => [m.direction, m.peer, m.summary])).toEqual([
      ['out', 'CMS-A', 'GET /xcap-root/a/b'],
      ['in', 'CMS-A', '200 OK'],
    ]);
    expect(msgs[0]!.headers['authorization']).toBe('Bearer eyJhbGciOiJF…');
    expect(msgs[1]!.body).toBe('<x/>');
  });

  it('builds no message when nobody keeps or listens to them, and passes the call through unchanged', async () => {
    const log = recordingLog(0);
    const calls: unknown[][] = [];
    let answer = new Response('ok');
    const base = (async (...args: unknown[]) => (calls.push(args), (answer = new Response('ok')))) as typeof fetch;
    const http = tapFetch(base, { ue: 'ue-1', log, lanes });
    const init = { method: 'PUT', body: 'b' };
    expect(await http('http://cms-a.test/x', init)).toBe(answer);
    expect(calls).toEqual([['http://cms-a.test/x', init]]);
    expect(log.recorded).toEqual([]);
    // A live listener (the SSE stream) turns it on, without a ring buffer.
    const seen: string[] = [];
    const off = log.listen((m) => seen.push(m.summary));
    await http('http://cms-a.test/x', init);
    await new Promise((r) => setTimeout(r, 10)); // the response body is read from a clone
    off();
    await http('http://cms-a.test/x', init);
    expect(seen).toEqual(['PUT /x', '200 OK']);
    expect(log.since('ue-1')).toEqual([]);
  });

  it("with the host's HTTP client, records the response body from the bytes it read: no clone, the caller's body unread", async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/xml' }).end('<doc/>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const local = new Lanes();
      local.add(origin, 'CMS-A');
      const log = new MessageLog(10, 1000);
      const http = tapFetch(dispatcherFetch(), { ue: 'ue-1', log, lanes: local });
      const res = await http(`${origin}/xcap-root/doc`, { headers: { 'if-none-match': '"e0"' } });
      // Both messages are in the log when the call returns (nothing waits for a clone to be read).
      const msgs = log.since('ue-1');
      expect(msgs.map((m) => [m.direction, m.peer, m.summary, m.body])).toEqual([
        ['out', 'CMS-A', 'GET /xcap-root/doc', ''],
        ['in', 'CMS-A', '200 OK', '<doc/>'],
      ]);
      expect(msgs[0]!.headers['if-none-match']).toBe('"e0"');
      expect(msgs[1]!.headers['content-type']).toBe('application/xml');
      expect(res.bodyUsed).toBe(false);
      expect(await res.text()).toBe('<doc/>');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
