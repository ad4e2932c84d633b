/**
 * A PUT whose Content-Type declares a charset other than UTF-8 is refused with 415 and nothing is
 * stored (XCAP bodies are UTF-8, RFC 4825 clause 8.2.2; the 415 is our choice), over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXcapServer, type RunningXcapServer } from '../../test/fixtures/http-server.ts';
import { SAMPLE_LISTS } from '../../test/fixtures/resource-lists-usage.ts';
import { charsetOf } from './charset.ts';

let srv: RunningXcapServer;
const DOC = 'resource-lists/users/sip:utf@example.com/index';
const MIME = 'application/resource-lists+xml';

beforeAll(async () => {
  srv = await startXcapServer();
  const r = await fetch(`${srv.root}/${DOC}`, { method: 'PUT', headers: { 'content-type': `${MIME}; charset=UTF-8` }, body: SAMPLE_LISTS });
  expect(r.status).toBe(201);
});
afterAll(() => srv.close());

describe('the charset of an XCAP PUT body', () => {
  it('reads the charset parameter, quoted or not, in any case', () => {
    expect(charsetOf(`${MIME}; charset=UTF-16`)).toBe('utf-16');
    expect(charsetOf(`${MIME};Charset="utf-8"`)).toBe('utf-8');
    expect(charsetOf(MIME)).toBeUndefined();
  });

  it.each([
    ['a document', '', `${MIME}; charset=utf-16`, () => Buffer.from(SAMPLE_LISTS.replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le')],
    ['a document declared latin-1', '', `${MIME}; charset="ISO-8859-1"`, () => Buffer.from(SAMPLE_LISTS, 'latin1')],
    ['an element', '/~~/resource-lists/list[1]/entry[3]', 'application/xcap-el+xml; charset=utf-16', () => Buffer.from('<entry uri="sip:n@example.com"/>', 'utf16le')],
    ['an attribute', '/~~/resource-lists/list[1]/entry[1]/@uri', 'application/xcap-att+xml;charset=utf-16', () => Buffer.from('sip:n@example.com', 'utf16le')],
  ])('refuses %s PUT with charset other than UTF-8 with 415, the document unchanged', async (_name, path, type, body) => {
    const before = await srv.store.get(DOC);
    const res = await fetch(`${srv.root}/${DOC}${path}`, { method: 'PUT', headers: { 'content-type': type }, body: body() });
    expect(res.status).toBe(415);
    expect(res.headers.get('accept')).toMatch(/; charset=utf-8$/);
    expect(await srv.store.get(DOC)).toEqual(before);
  });

  it('accepts the same element PUT in UTF-8 with or without the parameter', async () => {
    const a = await fetch(`${srv.root}/${DOC}/~~/resource-lists/list[1]/entry[3]`, { method: 'PUT', headers: { 'content-type': 'application/xcap-el+xml; charset=utf-8' }, body: '<entry uri="sip:n@example.com"/>' });
    expect(a.status).toBe(201);
    const b = await fetch(`${srv.root}/${DOC}/~~/resource-lists/list[1]/entry[3]/@uri`, { method: 'PUT', headers: { 'content-type': 'application/xcap-att+xml' }, body: 'sip:m@example.com' });
    expect(b.status).toBe(200);
  });
});
