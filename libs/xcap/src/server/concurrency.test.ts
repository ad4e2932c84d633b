/**
 * 50 concurrent conditional PUTs against one ETag: exactly one wins (200), the others get 412,
 * and no update is lost (RFC 4825 clause 7.11; compare-and-set in the store).
 */
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXcapServer, type RunningXcapServer } from '../../test/fixtures/http-server.ts';
import { SAMPLE_LISTS } from '../../test/fixtures/resource-lists-usage.ts';

let srv: RunningXcapServer;
const DOC = 'resource-lists/users/sip:dave@example.com/index';

beforeAll(async () => {
  srv = await startXcapServer();
});
afterAll(() => srv.close());

function put(path: string, body: string, headers: Record<string, string>, agent: Agent): Promise<{ status: number; etag: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(`${srv.root}/${path}`, { method: 'PUT', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, etag: res.headers.etag }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('concurrent conditional PUTs', () => {
  it.each([
    ['document', '', 'application/resource-lists+xml', (i: number) => SAMPLE_LISTS.replace('friends', `writer-${i}`)],
    ['element', '/~~/resource-lists/list[1]/entry[1]', 'application/xcap-el+xml', (i: number) => `<entry uri="sip:writer-${i}@example.com"/>`],
  ] as const)('50 %s PUTs with the same If-Match: one 200, 49 412, no lost update', async (_kind, sel, type, bodyFor) => {
    const created = await put(DOC, SAMPLE_LISTS, { 'content-type': 'application/resource-lists+xml' }, new Agent());
    expect([200, 201]).toContain(created.status);
    const etag = created.etag!;
    const versionBefore = (await srv.store.get(DOC))!.version;
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => put(`${DOC}${sel}`, bodyFor(i), { 'content-type': type, 'if-match': etag }, agent).then((r) => ({ ...r, i }))),
    );
    agent.destroy();
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 412)).toHaveLength(49);
    const stored = (await srv.store.get(DOC))!;
    expect(stored.version).toBe(versionBefore + 1);
    expect(`"${stored.etag}"`).toBe(winners[0]!.etag);
    expect(stored.body).toContain(`writer-${winners[0]!.i}`);
  });

  it('50 unconditional element PUTs on distinct entries all land (serialized, none lost)', async () => {
    await put(DOC, SAMPLE_LISTS, { 'content-type': 'application/resource-lists+xml' }, new Agent());
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        put(`${DOC}/~~/resource-lists/list[2]/entry[@uri="sip:n${i}@example.com"]`, `<entry uri="sip:n${i}@example.com"/>`, { 'content-type': 'application/xcap-el+xml' }, agent),
      ),
    );
    agent.destroy();
    expect(results.every((r) => r.status === 201)).toBe(true);
    const stored = (await srv.store.get(DOC))!;
    for (let i = 0; i < 50; i++) expect(stored.body).toContain(`sip:n${i}@example.com`);
  });
});
