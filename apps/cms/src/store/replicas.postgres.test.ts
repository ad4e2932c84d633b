// Two CMS instances (replicas, issue #17) on one PostgreSQL database, each with its own document
// store and change feed: 50 concurrent If-Match PUTs of one document, half through each instance,
// have exactly one winner (RFC 4825 clause 7.11; the database's version check), and both views end
// at the winner; a write through one instance is announced by the other (cause `replica`) so its
// subscribers are notified; a deletion too. Needs MCX_TEST_DATABASE_URL (`npm run test:postgres`).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openChangeFeed, type ChangeFeed, type Database } from '@mcx/db';
import { openTestDatabase } from '@mcx/db/testing';
import { EtagMismatch } from '@mcx/xcap';
import { MIME, userProfileSelector } from '../csc4-xcap/document-uris.ts';
import { CmsDocumentStore, type DocumentChangeEvent } from './document-store.ts';

const selector = userProfileSelector('sip:alice@mcx-a.example.net', 1);
const body = (n: number) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<mcptt-user-profile xmlns="urn:3gpp:mcptt:user-profile:1.0" XUI-URI="sip:alice@mcx-a.example.net" user-profile-index="${n}"/>`;

let db: Database;
let feeds: ChangeFeed[];
beforeEach(async () => {
  if (!process.env.MCX_TEST_DATABASE_URL) throw new Error('MCX_TEST_DATABASE_URL is required (npm run test:postgres sets a default)');
  db = await openTestDatabase();
  feeds = [await openChangeFeed(db, { instance: 'cms/1' }), await openChangeFeed(db, { instance: 'cms/2' })];
});
afterEach(async () => {
  for (const f of feeds ?? []) await f.close();
  await db?.close();
});

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not within time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('CMS replicas on one PostgreSQL database', () => {
  it('gives exactly one of 50 concurrent If-Match PUTs through two instances the win, and both views end at it', async () => {
    const a = await CmsDocumentStore.open(db, 'cms', 5, feeds[0]);
    const b = await CmsDocumentStore.open(db, 'cms', 5, feeds[1]);
    const first = await a.put(selector, body(0), { ifEtag: null, contentType: MIME.userProfile });
    await until(() => b.peek(selector)?.etag === first.etag);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).put(selector, body(i + 1), { ifEtag: first.etag, contentType: MIME.userProfile })),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const l of lost) expect(l.reason).toBeInstanceOf(EtagMismatch);
    const winner = (won[0] as PromiseFulfilledResult<{ etag: string; version: number }>).value;
    expect(winner.version).toBe(2);
    await until(() => a.peek(selector)?.etag === winner.etag && b.peek(selector)?.etag === winner.etag);
    const row = await db.prisma.xcapDocument.findFirst({ where: { server: 'cms' } });
    expect(row?.etag).toBe(winner.etag);
    a.close();
    b.close();
  });

  it('announces a write and a deletion made through the other instance (cause replica), with the version history', async () => {
    const a = await CmsDocumentStore.open(db, 'cms', 5, feeds[0]);
    const b = await CmsDocumentStore.open(db, 'cms', 5, feeds[1]);
    const atB: DocumentChangeEvent[] = [];
    b.onChange((e) => atB.push(e));
    const v1 = await a.put(selector, body(1), { ifEtag: null, contentType: MIME.userProfile, cause: 'admin' });
    const v2 = await a.put(selector, body(2), { ifEtag: v1.etag, contentType: MIME.userProfile, cause: 'xcap' });
    await until(() => b.peek(selector)?.etag === v2.etag);
    expect(atB.map((e) => [e.cause, e.next?.version])).toEqual(
      atB.length === 2 ? [['replica', 1], ['replica', 2]] : [['replica', 2]], // the first re-read may already see version 2
    );
    expect(b.history(selector).map((h) => h.version)).toEqual([1, 2]);
    expect((await b.getVersion(selector, 1))?.body).toBe(body(1));
    await a.delete(selector, { ifEtag: v2.etag });
    await until(() => b.peek(selector) === undefined);
    expect(atB.at(-1)).toMatchObject({ cause: 'replica', previous: { etag: v2.etag } });
    expect(atB.at(-1)?.next).toBeUndefined();
    a.close();
    b.close();
  });
});
