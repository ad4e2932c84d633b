// The typed client against a stand-in control API: the paths, methods and bodies of
// docs/ue-host-api.md, and the Problem of a refusal surfaced with its status.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UeHostApiError, UeHostClient } from './client.ts';

interface Seen {
  method: string;
  url: string;
  body: string;
  type: string | undefined;
  authorization: string | undefined;
}

let server: Server;
let client: UeHostClient;
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body, type: req.headers['content-type'], authorization: req.headers.authorization });
      if (req.url === '/api/ues/nobody') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found', detail: 'no UE "nobody"' }));
      } else if (req.url === '/api/ues/broken') {
        res.writeHead(502).end('bad gateway');
      } else if (req.method === 'DELETE') {
        res.writeHead(204).end();
      } else if (req.url?.startsWith('/api/ues/ue%201/documents/')) {
        res.writeHead(200, { 'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml', etag: '"e1"' }).end('<x/>');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echo: req.url }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new UeHostClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('UeHostClient', () => {
  it('calls the documented paths with JSON bodies', async () => {
    seen.length = 0;
    await client.listUes('bench-');
    await client.createUe({ user: 'alice', plmn: '00101' });
    await client.changePlmn('ue 1', '00102');
    await client.changePlmnBulk({ prefix: 'bench', plmn: '00102' });
    await client.sync('ue 1');
    await client.messages('ue 1', 7);
    await client.deleteUe('ue 1');
    expect(seen.map((s) => `${s.method} ${s.url} ${s.body}`)).toEqual([
      'GET /api/ues?prefix=bench- ',
      'POST /api/ues {"user":"alice","plmn":"00101"}',
      'POST /api/ues/ue%201/plmn {"plmn":"00102"}',
      'POST /api/ues/bulk/plmn {"prefix":"bench","plmn":"00102"}',
      'POST /api/ues/ue%201/sync {}',
      'GET /api/ues/ue%201/messages?since=7 ',
      'DELETE /api/ues/ue%201 ',
    ]);
    expect(seen.filter((s) => s.body).every((s) => s.type === 'application/json')).toBe(true);
  });

  it('returns a local copy with its MIME type and ETag', async () => {
    expect(await client.document('ue 1', 3)).toEqual({ contentType: 'application/vnd.3gpp.mcptt-user-profile+xml', etag: 'e1', body: '<x/>' });
  });

  it('throws the Problem of a refusal with its status', async () => {
    const err = await client.getUe('nobody').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UeHostApiError);
    expect(err).toMatchObject({ status: 404, problem: { error: 'not_found', detail: 'no UE "nobody"' } });
    expect((err as Error).message).toBe('GET /api/ues/nobody: 404 not_found: no UE "nobody"');
  });

  it('sends the control secret as a bearer token on every request, and nothing without one', async () => {
    seen.length = 0;
    const withToken = new UeHostClient(client.baseUrl, { token: 'lab-control-secret-0123' });
    await withToken.listUes();
    await withToken.createUe({ user: 'alice' });
    await withToken.document('ue 1', 3);
    await withToken.deleteUe('ue 1');
    await client.listUes();
    expect(seen.map((s) => s.authorization)).toEqual([...Array(4).fill('Bearer lab-control-secret-0123'), undefined]);
    expect(seen[1]!.type).toBe('application/json');
  });

  it('keeps the text of a non-JSON error answer', async () => {
    await expect(client.getUe('broken')).rejects.toMatchObject({ status: 502, problem: 'bad gateway' });
  });
});
