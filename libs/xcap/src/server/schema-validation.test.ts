/**
 * RFC 4825 clause 8.2.5: after an element/attribute PUT or DELETE the document must still
 * validate; otherwise 409 `schema-validation-error` and the stored document and ETag are
 * unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXcapServer, type RunningXcapServer } from '../../test/fixtures/http-server.ts';
import { SAMPLE_LISTS } from '../../test/fixtures/resource-lists-usage.ts';

let srv: RunningXcapServer;
const DOC = 'resource-lists/users/sip:carol@example.com/index';

beforeAll(async () => {
  srv = await startXcapServer();
  const r = await fetch(`${srv.root}/${DOC}`, { method: 'PUT', headers: { 'content-type': 'application/resource-lists+xml' }, body: SAMPLE_LISTS });
  expect(r.status).toBe(201);
});
afterAll(() => srv.close());

const EL = 'application/xcap-el+xml';
const ATT = 'application/xcap-att+xml';
const cases: [string, string, string, string | undefined][] = [
  ['PUT an element the schema does not allow', 'PUT', 'resource-lists/list[1]/bogus', EL],
  ['PUT an entry without its required uri', 'PUT', 'resource-lists/list[1]/entry[3]', EL],
  ['PUT an element at the root level where only lists are allowed', 'PUT', 'resource-lists/entry', EL],
  ['DELETE a required attribute', 'DELETE', 'resource-lists/list[1]/entry[1]/@uri', undefined],
  ['PUT display-name after entries (order)', 'PUT', 'resource-lists/list[2]/display-name', EL],
];
const BODIES: Record<string, string> = {
  'resource-lists/list[1]/bogus': '<bogus/>',
  'resource-lists/list[1]/entry[3]': '<entry/>',
  'resource-lists/entry': '<entry uri="sip:x@y"/>',
  'resource-lists/list[2]/display-name': '<display-name>Work</display-name>',
};

describe('schema validation after element/attribute operations (RFC 4825 clause 8.2.5)', () => {
  it.each(cases)('%s → 409 schema-validation-error, nothing changes', async (_name, method, selector, type) => {
    const before = await srv.store.get(DOC);
    const headers: Record<string, string> = type ? { 'content-type': type } : {};
    const res = await fetch(`${srv.root}/${DOC}/~~/${selector}`, { method, headers, body: method === 'PUT' ? BODIES[selector]! : null });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/xcap-error+xml');
    expect(await res.text()).toMatch(/<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error"><schema-validation-error phrase="[^"]+"\/><\/xcap-error>/);
    const after = await srv.store.get(DOC);
    expect(after).toEqual(before);
    const get = await fetch(`${srv.root}/${DOC}`);
    expect(get.headers.get('etag')).toBe(`"${before!.etag}"`);
    expect(await get.text()).toBe(SAMPLE_LISTS);
  });

  it('a valid change of the same kind goes through (the refusals above are about the schema)', async () => {
    const res = await fetch(`${srv.root}/${DOC}/~~/resource-lists/list[1]/entry[3]`, { method: 'PUT', headers: { 'content-type': EL }, body: '<entry uri="sip:new@example.com"/>' });
    expect(res.status).toBe(201);
    const att = await fetch(`${srv.root}/${DOC}/~~/resource-lists/list[1]/entry[3]/@uri`, { method: 'PUT', headers: { 'content-type': ATT }, body: 'sip:newer@example.com' });
    expect(att.status).toBe(200);
    expect(srv.events.length).toBe(3);
  });
});
