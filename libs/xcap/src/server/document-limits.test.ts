/**
 * Per-document limits of an application usage (our choice, @mcx/xml limits.ts): a body or a
 * resulting document with more elements or attributes than the usage allows gets 409
 * constraint-failure (RFC 4825 clause 11.5) and nothing is stored; a usage's asynchronous
 * whole-document check (`checkDocument`) replaces validate + checkConstraints, and a full
 * worker pool behind it is answered 503 + Retry-After.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_XML_LIMITS, WorkerPoolBusyError } from '@mcx/xml';
import { ApplicationUsageRegistry, type ApplicationUsage } from '../index.ts';
import { startXcapServer, type RunningXcapServer } from '../../test/fixtures/http-server.ts';
import { SAMPLE_LISTS, resourceListsUsage } from '../../test/fixtures/resource-lists-usage.ts';

const DOC = 'resource-lists/users/sip:carol@example.com/index';
const MIME = 'application/resource-lists+xml';
const EL = 'application/xcap-el+xml';
const limits = { ...DEFAULT_XML_LIMITS, maxElements: 12, maxAttributesPerElement: 4 };
const checked: string[] = [];
const usage: ApplicationUsage = {
  ...resourceListsUsage,
  limits,
  async checkDocument(body, ctx) {
    checked.push(ctx.previousBody === undefined ? 'new' : 'replace');
    if (body.includes('busy')) throw new WorkerPoolBusyError(8);
    if (body.includes('<bogus')) return { kind: 'schema', issues: [{ message: 'bogus is not allowed' }] };
    if (body.includes('<oops')) return { kind: 'not-well-formed', phrase: 'not closed' };
    return null;
  },
};

let srv: RunningXcapServer;
beforeAll(async () => {
  srv = await startXcapServer({ registry: new ApplicationUsageRegistry([usage]) });
  const r = await fetch(`${srv.root}/${DOC}`, { method: 'PUT', headers: { 'content-type': MIME }, body: SAMPLE_LISTS });
  expect(r.status).toBe(201);
});
afterAll(() => srv.close());

const entries = (n: number) => Array.from({ length: n }, (_, i) => `<entry uri="sip:u${i}@example.com"/>`).join('');
const withEntries = (n: number) => SAMPLE_LISTS.replace('</list>', `${entries(n)}</list>`);

async function expectUnchanged(): Promise<void> {
  const before = (await srv.store.get(DOC))!;
  const get = await fetch(`${srv.root}/${DOC}`);
  expect(get.headers.get('etag')).toBe(`"${before.etag}"`);
  expect(await get.text()).toBe(before.body);
}

describe('per-document limits of an application usage', () => {
  it('refuses a document PUT with more elements than the limit with 409 constraint-failure, storing nothing', async () => {
    const etag = (await srv.store.get(DOC))!.etag;
    const res = await fetch(`${srv.root}/${DOC}`, { method: 'PUT', headers: { 'content-type': MIME }, body: withEntries(6) });
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(/<constraint-failure phrase="the document has more than 12 elements \(limit of this server\)"\/>/);
    expect((await srv.store.get(DOC))!.etag).toBe(etag);
    await expectUnchanged();
  });

  it('refuses an element PUT whose resulting document exceeds the limit, though the fragment alone does not', async () => {
    const etag = (await srv.store.get(DOC))!.etag;
    const res = await fetch(`${srv.root}/${DOC}/~~/resource-lists/list[1]/entry[3]`, {
      method: 'PUT',
      headers: { 'content-type': EL },
      body: `<entry uri="sip:x@example.com"><display-name>${'<x:n xmlns:x="urn:x"/>'.repeat(5)}</display-name></entry>`,
    });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('<constraint-failure phrase="the document has more than 12 elements');
    expect((await srv.store.get(DOC))!.etag).toBe(etag);
  });

  it('refuses more attributes on one element than the limit with 409 constraint-failure', async () => {
    const res = await fetch(`${srv.root}/${DOC}`, { method: 'PUT', headers: { 'content-type': MIME }, body: SAMPLE_LISTS.replace('<list name="work">', '<list name="work" x:a="1" x:b="2" x:c="3" x:d="4">') });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('<constraint-failure phrase="&lt;list&gt; has more than 4 attributes');
    await expectUnchanged();
  });
});

describe("a usage's asynchronous whole-document check", () => {
  it.each([
    ['schema issues', '<bogus/>', /<schema-validation-error phrase="bogus is not allowed"\/>/],
    ['a body that is not well-formed', '<oops/>', /<not-well-formed phrase="not closed"\/>/],
  ])('answers %s with 409 and the xcap-error it names', async (_name, extra, body) => {
    const res = await fetch(`${srv.root}/${DOC}`, { method: 'PUT', headers: { 'content-type': MIME }, body: SAMPLE_LISTS.replace('</resource-lists>', `${extra}</resource-lists>`) });
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(body);
    await expectUnchanged();
  });

  it('answers 503 with Retry-After when the worker pool behind it is full, storing nothing', async () => {
    const res = await fetch(`${srv.root}/${DOC}`, { method: 'PUT', headers: { 'content-type': MIME }, body: SAMPLE_LISTS.replace('Bill Doe', 'busy') });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    await expectUnchanged();
  });

  it('is what validates every PUT, element PUTs included, and a valid one is stored', async () => {
    checked.length = 0;
    const res = await fetch(`${srv.root}/${DOC}/~~/resource-lists/list[1]/entry[3]`, { method: 'PUT', headers: { 'content-type': EL }, body: '<entry uri="sip:new@example.com"/>' });
    expect(res.status).toBe(201);
    const doc = await fetch(`${srv.root}/${DOC}`, { method: 'PUT', headers: { 'content-type': MIME }, body: withEntries(2) });
    expect(doc.status).toBe(200);
    expect(checked).toEqual(['replace', 'replace']);
  });
});
