/**
 * What a usage's constraint check is told about the version a write replaces (RFC 4825 clauses
 * 5.5, 5.6): its text, and its DOM parsed when the check reads it (issue #14); and the text the
 * write stores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationUsageRegistry, type ApplicationUsage, type ConstraintContext } from '../index.ts';
import { startXcapServer, type RunningXcapServer } from '../../test/fixtures/http-server.ts';
import { SAMPLE_LISTS, resourceListsUsage } from '../../test/fixtures/resource-lists-usage.ts';

const DOC = 'resource-lists/users/sip:dave@example.com/index';
const seen: Array<{ previousBody: string | undefined; entries: number | undefined; body: string }> = [];
let readPrevious = true;
const usage: ApplicationUsage = {
  ...resourceListsUsage,
  checkConstraints(_doc, ctx: ConstraintContext) {
    const previous = readPrevious ? ctx.previous : undefined;
    seen.push({ previousBody: ctx.previousBody, entries: previous?.getElementsByTagNameNS('*', 'entry').length, body: ctx.body });
    return null;
  },
};

let srv: RunningXcapServer;
beforeAll(async () => {
  srv = await startXcapServer({ registry: new ApplicationUsageRegistry([usage]) });
});
afterAll(() => srv.close());

describe('the constraint context of a write', () => {
  it('has no previous version for a document created, and the text and DOM of the replaced one after', async () => {
    const created = await fetch(`${srv.root}/${DOC}`, { method: 'PUT', headers: { 'content-type': 'application/resource-lists+xml' }, body: SAMPLE_LISTS });
    expect(created.status).toBe(201);
    expect(seen.at(-1)).toEqual({ previousBody: undefined, entries: undefined, body: SAMPLE_LISTS });

    const before = (await srv.store.get(DOC))!;
    const entriesBefore = (before.body.match(/<entry /g) ?? []).length;
    expect(entriesBefore).toBeGreaterThan(0);
    const put = await fetch(`${srv.root}/${DOC}/~~/resource-lists/list[1]/entry[@uri="sip:new@example.com"]`, {
      method: 'PUT',
      headers: { 'content-type': 'application/xcap-el+xml' },
      body: '<entry uri="sip:new@example.com"/>',
    });
    expect(put.status).toBe(201);
    expect(seen.at(-1)).toEqual({ previousBody: before.body, entries: entriesBefore, body: (await srv.store.get(DOC))!.body });
    expect(seen.at(-1)!.body).toContain('sip:new@example.com');
  });

  it('gives the text of the replaced version to a check that never parses it', async () => {
    readPrevious = false;
    const before = (await srv.store.get(DOC))!;
    const del = await fetch(`${srv.root}/${DOC}/~~/resource-lists/list[1]/entry[@uri="sip:new@example.com"]`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(seen.at(-1)).toEqual({ previousBody: before.body, entries: undefined, body: (await srv.store.get(DOC))!.body });
    expect((await srv.store.get(DOC))!.body).not.toContain('sip:new@example.com');
  });
});
