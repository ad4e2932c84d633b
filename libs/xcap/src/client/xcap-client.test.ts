import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffDocument } from '../diff/diff-document.ts';
import { renderXcapDiff } from '../diff/xcap-diff.ts';
import { startXcapServer, type RunningXcapServer } from '../../test/fixtures/http-server.ts';
import { SAMPLE_LISTS } from '../../test/fixtures/resource-lists-usage.ts';
import { XcapClient } from './xcap-client.ts';
import type { LocalCopy } from '../diff/apply-diff.ts';

let srv: RunningXcapServer;
let client: XcapClient;
const DOC = 'resource-lists/users/sip:erin@example.com/index';

beforeAll(async () => {
  srv = await startXcapServer();
  client = new XcapClient({ xcapRoot: srv.root, headers: () => ({ 'x-test': '1' }) });
});
afterAll(() => srv.close());

describe('XcapClient (UE side)', () => {
  it('creates, then a GET with its version answers 304 (already synchronized)', async () => {
    const created = await client.put(DOC, SAMPLE_LISTS, 'application/resource-lists+xml', { ifNoneMatch: '*' });
    expect(created.status).toBe(201);
    const copy = await client.synchronize(DOC, undefined);
    expect(copy).toEqual({ etag: created.etag, body: SAMPLE_LISTS });
    const again = await client.get(DOC, { ifNoneMatch: copy!.etag });
    expect(again.status).toBe(304);
    expect(await client.synchronize(DOC, copy)).toBe(copy);
  });

  it('an upload with a stale If-Match is a 412, never a lost update', async () => {
    const copy = (await client.synchronize(DOC, undefined))!;
    const first = await client.put(`${DOC}/~~/resource-lists/list[1]/@name`, 'buddies', 'application/xcap-att+xml', { ifMatch: copy.etag });
    expect(first.status).toBe(200);
    const second = await client.put(`${DOC}/~~/resource-lists/list[1]/@name`, 'mates', 'application/xcap-att+xml', { ifMatch: copy.etag });
    expect(second.status).toBe(412);
    expect((await client.get(`${DOC}/~~/resource-lists/list[1]/@name`)).body).toBe('buddies');
    const bad = await client.put(`${DOC}/~~/resource-lists/list[1]/bogus`, '<bogus/>', 'application/xcap-el+xml');
    expect(bad).toMatchObject({ status: 409, errorCondition: 'schema-validation-error' });
  });

  it('follows server changes through xcap-diff built from the change events, fetching on mismatch', async () => {
    const copies = new Map<string, LocalCopy>([[DOC, (await client.synchronize(DOC, undefined))!]]);
    srv.events.length = 0;
    const changed = await client.put(`${DOC}/~~/resource-lists/list[2]/entry[2]`, '<entry uri="sip:new@example.com"/>', 'application/xcap-el+xml');
    expect(changed.status).toBe(201);
    const event = srv.events[0]!;
    const entry = diffDocument({ sel: event.selector, previousEtag: event.previousEtag, newEtag: event.newEtag, previousBody: event.previousBody, newBody: event.newBody });
    expect(entry.patch).not.toBeUndefined();
    const results = await client.applyDiff(renderXcapDiff(srv.root, [entry]), copies);
    expect(results[0]!.action).toBe('patched');
    expect(copies.get(DOC)!.etag).toBe(changed.etag);
    const server = await client.get(DOC);
    expect(copies.get(DOC)!.body).toBe(server.body);

    // A copy at another version cannot be patched: the client re-fetches.
    copies.set(DOC, { etag: 'stale', body: SAMPLE_LISTS });
    const refetched = await client.applyDiff(renderXcapDiff(srv.root, [entry]), copies);
    expect(refetched[0]).toMatchObject({ action: 'fetch', reason: 'etag-mismatch' });
    expect(copies.get(DOC)).toEqual({ etag: server.etag, body: server.body });
  });

  it('deletes with If-Match and sees 404 afterwards', async () => {
    const copy = (await client.synchronize(DOC, undefined))!;
    expect((await client.delete(DOC, { ifMatch: 'wrong' })).status).toBe(412);
    expect((await client.delete(DOC, { ifMatch: copy.etag })).status).toBe(200);
    expect(await client.synchronize(DOC, copy)).toBeUndefined();
  });
});
