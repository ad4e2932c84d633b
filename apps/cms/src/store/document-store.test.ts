// CmsDocumentStore.createMany (seeding many users at once): absent documents are created in one
// transaction per chunk, with the same memory view, history and change events as a put; existing
// documents are left alone; a chunk that loses a race with another writer of the database falls
// back to one put per document. Real SQLite (or PostgreSQL with MCX_TEST_DATABASE_URL).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '@mcx/db';
import { openTestDatabase } from '@mcx/db/testing';
import { MIME, userProfileSelector } from '../csc4-xcap/document-uris.ts';
import { CmsDocumentStore, type DocumentChangeEvent } from './document-store.ts';

const profile = (user: string) => ({
  selector: userProfileSelector(`sip:${user}@mcx-a.example.net`, 1),
  contentType: MIME.userProfile,
  body: `<?xml version="1.0" encoding="UTF-8"?>\n<mcptt-user-profile xmlns="urn:3gpp:mcptt:user-profile:1.0" XUI-URI="sip:${user}@mcx-a.example.net"/>`,
});

let db: Database;
beforeEach(async () => {
  db = await openTestDatabase();
});
afterEach(async () => db?.close());

describe('CmsDocumentStore.createMany', () => {
  it('creates every absent document (version 1, in the database), skips existing ones, and announces each creation', async () => {
    const store = await CmsDocumentStore.open(db, 'cms-a', 5);
    const before = await store.put(profile('u0').selector, profile('u0').body, { ifEtag: null, contentType: MIME.userProfile });
    const events: DocumentChangeEvent[] = [];
    store.onChange((e) => events.push(e));
    const docs = Array.from({ length: 1200 }, (_, i) => profile(`u${i}`)); // more than one chunk of 500
    const { created, existing } = await store.createMany([...docs, docs[5]!], 'seed');
    expect(existing).toBe(2); // u0 was there; u5 is listed twice
    expect(created).toHaveLength(1199);
    expect(new Set(created).size).toBe(1199);
    expect(store.peek(docs[0]!.selector)).toEqual(before);
    expect(store.peek(docs[7]!.selector)).toMatchObject({ version: 1, body: docs[7]!.body });
    expect(store.historyView(docs[7]!.selector).map((h) => h.version)).toEqual([1]);
    expect(events.map((e) => [e.selector, e.cause, e.previous, e.next?.version])).toContainEqual([docs[7]!.selector, 'seed', undefined, 1]);
    expect(events).toHaveLength(1199);
    // In the database, not only in memory: a new view reads the same documents and versions.
    const reopened = await CmsDocumentStore.open(db, 'cms-a', 5);
    expect(reopened.size).toBe(1200);
    expect(reopened.peek(docs[1100]!.selector)).toMatchObject({ etag: store.peek(docs[1100]!.selector)!.etag, version: 1 });
    expect(await reopened.getVersion(docs[1100]!.selector, 1)).toMatchObject({ body: docs[1100]!.body });
  });

  it('a chunk that meets a document another writer created falls back to one put each: that one counts as existing, the others are created', async () => {
    const mine = await CmsDocumentStore.open(db, 'cms-a', 5);
    const other = await CmsDocumentStore.open(db, 'cms-a', 5); // e.g. a replica on the same database
    const docs = [profile('a'), profile('b'), profile('c')];
    await other.put(docs[1]!.selector, docs[1]!.body, { ifEtag: null, contentType: MIME.userProfile });
    const { created, existing } = await mine.createMany(docs, 'seed');
    expect(created.sort()).toEqual([docs[0]!.selector, docs[2]!.selector].sort());
    expect(existing).toBe(1);
    expect(mine.peek(docs[1]!.selector)?.etag).toBe(other.peek(docs[1]!.selector)?.etag);
    expect((await CmsDocumentStore.open(db, 'cms-a', 5)).size).toBe(3);
  });
});
