/**
 * HEAD answers like GET without the content (RFC 9110 clause 9.3.2): its Content-Length is the
 * length of the content GET would send (clause 8.6), for documents, elements, attributes,
 * namespace bindings, xcap-caps and error answers alike. Read with raw node:http (fetch hides
 * the header of a HEAD answer's empty body).
 */
import { rawRequest as raw } from '../testing.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXcapServer, type RunningXcapServer } from '../../test/fixtures/http-server.ts';
import { SAMPLE_LISTS } from '../../test/fixtures/resource-lists-usage.ts';

let srv: RunningXcapServer;
const DOC = 'resource-lists/users/sip:x@y/index';

beforeAll(async () => {
  srv = await startXcapServer();
  const put = await fetch(`${srv.root}/${DOC}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/resource-lists+xml' },
    body: SAMPLE_LISTS,
  });
  expect(put.status).toBe(201);
});
afterAll(async () => {
  await srv?.close();
});

describe('XCAP HEAD (RFC 9110 clauses 9.3.2 and 8.6)', () => {
  it.each([
    ['a document', DOC, 200],
    ['an element', `${DOC}/~~/resource-lists/list[1]`, 200],
    ['an attribute', `${DOC}/~~/resource-lists/list[1]/@name`, 200],
    ['namespace bindings', `${DOC}/~~/resource-lists/list[1]/namespace::*`, 200],
    ['xcap-caps', 'xcap-caps/global/index', 200],
    ['a missing document (error answer)', 'resource-lists/users/sip:x@y/missing', 404],
  ])(
    'HEAD of %s has the status, ETag, type and Content-Length of GET, and no content',
    async (_what, path, status) => {
      const get = await raw('GET', `${srv.root}/${path}`);
      const head = await raw('HEAD', `${srv.root}/${path}`);
      expect(get.status).toBe(status);
      expect(head.status).toBe(status);
      expect(get.body.length).toBeGreaterThan(0);
      expect(Number(get.headers['content-length'])).toBe(get.body.length);
      expect(Number(head.headers['content-length'])).toBe(get.body.length);
      expect(head.headers['etag']).toBe(get.headers['etag']);
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
      expect(head.body.length).toBe(0);
    },
  );
});
