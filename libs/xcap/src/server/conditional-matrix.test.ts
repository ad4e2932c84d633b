/**
 * Every method × {no header, If-Match right/wrong/*, If-None-Match right/wrong/*} ×
 * {document exists, absent} → the status RFC 4825 clause 7.11 (with RFC 9110 clause 13)
 * prescribes. Preconditions are ignored when the response would otherwise be 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXcapServer, type RunningXcapServer } from '../../test/fixtures/http-server.ts';
import { SAMPLE_LISTS } from '../../test/fixtures/resource-lists-usage.ts';

type Header = 'none' | 'if-match right' | 'if-match wrong' | 'if-match *' | 'if-none-match right' | 'if-none-match wrong' | 'if-none-match *';
type Method = 'GET' | 'HEAD' | 'PUT' | 'DELETE';

const EXPECTED: Record<Method, Record<'exists' | 'absent', Record<Header, number>>> = {
  GET: {
    exists: { none: 200, 'if-match right': 200, 'if-match wrong': 412, 'if-match *': 200, 'if-none-match right': 304, 'if-none-match wrong': 200, 'if-none-match *': 304 },
    absent: { none: 404, 'if-match right': 404, 'if-match wrong': 404, 'if-match *': 404, 'if-none-match right': 404, 'if-none-match wrong': 404, 'if-none-match *': 404 },
  },
  HEAD: {
    exists: { none: 200, 'if-match right': 200, 'if-match wrong': 412, 'if-match *': 200, 'if-none-match right': 304, 'if-none-match wrong': 200, 'if-none-match *': 304 },
    absent: { none: 404, 'if-match right': 404, 'if-match wrong': 404, 'if-match *': 404, 'if-none-match right': 404, 'if-none-match wrong': 404, 'if-none-match *': 404 },
  },
  PUT: {
    exists: { none: 200, 'if-match right': 200, 'if-match wrong': 412, 'if-match *': 200, 'if-none-match right': 412, 'if-none-match wrong': 200, 'if-none-match *': 412 },
    absent: { none: 201, 'if-match right': 412, 'if-match wrong': 412, 'if-match *': 412, 'if-none-match right': 201, 'if-none-match wrong': 201, 'if-none-match *': 201 },
  },
  DELETE: {
    exists: { none: 200, 'if-match right': 200, 'if-match wrong': 412, 'if-match *': 200, 'if-none-match right': 412, 'if-none-match wrong': 200, 'if-none-match *': 412 },
    absent: { none: 404, 'if-match right': 404, 'if-match wrong': 404, 'if-match *': 404, 'if-none-match right': 404, 'if-none-match wrong': 404, 'if-none-match *': 404 },
  },
};

let srv: RunningXcapServer;
let counter = 0;
const RL = 'application/resource-lists+xml';
/** The ETag the "right" header carries for an absent document: one the document once had. */
let staleButReal = '';

beforeAll(async () => {
  srv = await startXcapServer();
  const r = await fetch(`${srv.root}/resource-lists/users/sip:x@y/probe`, { method: 'PUT', headers: { 'content-type': RL }, body: SAMPLE_LISTS });
  staleButReal = r.headers.get('etag')!;
});
afterAll(() => srv.close());

const cases = (Object.keys(EXPECTED) as Method[]).flatMap((method) =>
  (['exists', 'absent'] as const).flatMap((state) =>
    (Object.keys(EXPECTED[method][state]) as Header[]).map((header) => [method, state, header, EXPECTED[method][state][header]] as const),
  ),
);

describe('conditional request matrix (RFC 4825 clause 7.11)', () => {
  it.each(cases)('%s on a document that %s with %s → %i', async (method, state, header, expected) => {
    const path = `${srv.root}/resource-lists/users/sip:x@y/doc-${++counter}`;
    let etag = staleButReal;
    if (state === 'exists') {
      const created = await fetch(path, { method: 'PUT', headers: { 'content-type': RL }, body: SAMPLE_LISTS });
      expect(created.status).toBe(201);
      etag = created.headers.get('etag')!;
    }
    const headers: Record<string, string> = {};
    const [name, value] = header.split(' ') as [string, string | undefined];
    if (name !== 'none') headers[name] = value === 'right' ? etag : value === 'wrong' ? '"not-the-etag"' : '*';
    const body = method === 'PUT' ? SAMPLE_LISTS.replace('friends', 'pals') : undefined;
    if (body) headers['content-type'] = RL;
    const res = await fetch(path, { method, headers, body: body ?? null });
    await res.arrayBuffer();
    expect(res.status).toBe(expected);
    if (expected === 304) expect(res.headers.get('etag')).toBe(etag);
    // A refused request changes nothing.
    const after = await fetch(path);
    const afterBody = await after.text();
    if (expected === 412 || expected === 304 || method === 'GET' || method === 'HEAD') {
      expect(after.status).toBe(state === 'exists' ? 200 : 404);
      if (state === 'exists') {
        expect(after.headers.get('etag')).toBe(etag);
        expect(afterBody).toBe(SAMPLE_LISTS);
      }
    } else if (method === 'DELETE') {
      expect(after.status).toBe(404);
    } else {
      expect(after.status).toBe(200);
      expect(afterBody).toContain('"pals"');
      expect(after.headers.get('etag')).not.toBe(etag);
    }
  });

  it('element and attribute resources share the document ETag (RFC 4825 clause 8.5)', async () => {
    const doc = `${srv.root}/resource-lists/users/sip:x@y/shared`;
    const put = await fetch(doc, { method: 'PUT', headers: { 'content-type': RL }, body: SAMPLE_LISTS });
    const etag = put.headers.get('etag')!;
    const el = await fetch(`${doc}/~~/resource-lists/list[1]`, { headers: { 'if-none-match': etag } });
    expect(el.status).toBe(304);
    const create = await fetch(`${doc}/~~/resource-lists/list[@name="new"]`, {
      method: 'PUT',
      headers: { 'content-type': 'application/xcap-el+xml', 'if-none-match': '*', 'if-match': etag },
      body: '<list name="new"/>',
    });
    expect(create.status).toBe(201);
    const again = await fetch(`${doc}/~~/resource-lists/list[@name="new"]`, {
      method: 'PUT',
      headers: { 'content-type': 'application/xcap-el+xml', 'if-none-match': '*' },
      body: '<list name="new"/>',
    });
    expect(again.status).toBe(412);
    const stale = await fetch(`${doc}/~~/resource-lists/list[1]/@name`, { method: 'PUT', headers: { 'content-type': 'application/xcap-att+xml', 'if-match': etag }, body: 'x' });
    expect(stale.status).toBe(412);
    expect((await fetch(doc, { headers: { 'if-match': 'W/"abc", "zzz"' } })).status).toBe(412);
    expect((await fetch(doc, { headers: { 'if-match': 'garbage' } })).status).toBe(400);
  });
});
