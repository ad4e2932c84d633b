/**
 * The GMS document store: XCAP documents (RFC 4825 clause 6) in the `XcapDocument` table with an
 * in-memory view of every document of this server instance, written through. Reads (GET,
 * conditional GET, NOTIFY fan-out, authorization) never cost a query (docs/toolchain.md "Speed");
 * a write is one query. Writes to one document are serialized in this process and
 * compare-and-set in the database (`updateIfVersion`), so replicas cannot lose an update
 * (RFC 4825 clause 7.11): the loser gets an EtagMismatch and the XCAP engine re-reads.
 *
 * Every committed change is reported synchronously to the listeners (the group directory and the
 * subscription fan-out), whoever made it (XCAP, admin API, seeding), in whichever instance: with
 * replicas on one PostgreSQL database (issue #17) each write publishes its selector on the change
 * feed (@mcx/db change-feed.ts) inside its transaction, and the other instances re-read the row
 * and report the change to their listeners.
 */
import { isConflict, updateIfVersion, type ChangeFeed, type Database, type TransactionClient, type XcapDocument } from '@mcx/db';

/** The change-feed topic of document changes (key: the selector). */
const DOC_TOPIC = 'doc';
import {
  computeEtag,
  EtagMismatch,
  formatDocumentSelector,
  parseXcapUri,
  type DeleteOptions,
  type DocumentStore,
  type ExpectedEtag,
  type PutOptions,
  type StoredDocument,
} from '@mcx/xcap';

export interface StoredRow extends StoredDocument {
  id: string;
}

/** One committed change: `previous` undefined = created, `next` undefined = deleted. */
export interface DocumentChange {
  selector: string;
  previous: StoredDocument | undefined;
  next: StoredDocument | undefined;
}

export type ChangeListener = (change: DocumentChange) => void;

function toStored(row: XcapDocument, selector: string): StoredRow {
  return { id: row.id, selector, body: row.body, etag: row.etag, version: row.version, contentType: row.contentType, updatedAt: row.updatedAt };
}

/** Splits a canonical selector into the row's columns (`selector` is kept canonical). */
function columnsOf(selector: string): { auid: string; tree: string; xui: string; path: string } {
  const { document } = parseXcapUri(selector);
  return { auid: document.auid, tree: document.tree, xui: document.xui ?? '', path: document.path.join('/') };
}

export class PrismaDocumentStore implements DocumentStore {
  readonly #db: Database;
  readonly #server: string;
  readonly #docs = new Map<string, StoredRow>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #listeners: ChangeListener[] = [];
  readonly #feed: ChangeFeed | undefined;
  readonly #unsubscribe: () => void;

  private constructor(db: Database, server: string, feed: ChangeFeed | undefined) {
    this.#db = db;
    this.#server = server;
    this.#feed = feed?.shared ? feed : undefined;
    this.#unsubscribe =
      this.#feed?.subscribe(DOC_TOPIC, {
        change: (selector) => void this.#serialized(selector, () => this.#reload(selector)).catch(() => undefined),
        resync: () => void this.#resync().catch(() => undefined),
      }) ?? (() => undefined);
  }

  /** Loads every document of `server` into memory; with a shared feed, follows the other instances' writes. */
  static async open(db: Database, server: string, feed?: ChangeFeed): Promise<PrismaDocumentStore> {
    const store = new PrismaDocumentStore(db, server, feed);
    for (const [selector, row] of await store.#readAll()) store.#docs.set(selector, row);
    return store;
  }

  /** Stops following the other instances' writes. */
  close(): void {
    this.#unsubscribe();
  }

  async #readAll(): Promise<Map<string, StoredRow>> {
    const rows = await this.#db.prisma.xcapDocument.findMany({ where: { server: this.#server } });
    const docs = new Map<string, StoredRow>();
    for (const row of rows) {
      const selector = formatDocumentSelector({
        auid: row.auid,
        tree: row.tree as 'global' | 'users',
        ...(row.tree === 'users' ? { xui: row.xui } : {}),
        path: row.path.split('/'),
      });
      docs.set(selector, toStored(row, selector));
    }
    return docs;
  }

  /** After the feed lost notifications: re-reads everything and reports what differs (documents being written here are left to that write). */
  async #resync(): Promise<void> {
    const next = await this.#readAll();
    const changes: DocumentChange[] = [];
    for (const [selector, row] of next) {
      const previous = this.#docs.get(selector);
      if (this.#locks.has(selector) || previous?.etag === row.etag) continue;
      this.#docs.set(selector, row);
      changes.push({ selector, previous, next: row });
    }
    for (const [selector, previous] of this.#docs) {
      if (next.has(selector) || this.#locks.has(selector)) continue;
      this.#docs.delete(selector);
      changes.push({ selector, previous, next: undefined });
    }
    for (const c of changes) this.#emit(c);
  }

  /** Publishes a change to the other instances, inside the writing transaction (delivered at commit). */
  async #publish(tx: TransactionClient, selector: string): Promise<void> {
    await this.#feed?.publish(DOC_TOPIC, selector, tx);
  }

  onChange(listener: ChangeListener): void {
    this.#listeners.push(listener);
  }

  /** Synchronous read of the in-memory view. */
  peek(selector: string): StoredDocument | undefined {
    return this.#docs.get(selector);
  }

  all(): IterableIterator<StoredDocument> {
    return this.#docs.values();
  }

  async get(selector: string): Promise<StoredDocument | undefined> {
    return this.#docs.get(selector);
  }

  async list(prefix: string): Promise<StoredDocument[]> {
    return [...this.#docs.values()].filter((d) => d.selector.startsWith(prefix));
  }

  #check(selector: string, expected: ExpectedEtag): StoredRow | undefined {
    const current = this.#docs.get(selector);
    if (expected === undefined) return current;
    const ok = expected === null ? current === undefined : current?.etag === expected;
    if (!ok) throw new EtagMismatch(selector, expected, current?.etag);
    return current;
  }

  /** Runs `fn` after every earlier write of `selector` in this process. */
  #serialized<T>(selector: string, fn: () => Promise<T>): Promise<T> {
    const before = this.#locks.get(selector) ?? Promise.resolve();
    const run = before.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#locks.set(selector, tail);
    void tail.then(() => {
      if (this.#locks.get(selector) === tail) this.#locks.delete(selector);
    });
    return run;
  }

  /** Another replica changed the row: refresh the view from the database. */
  async #reload(selector: string): Promise<void> {
    const row = await this.#db.prisma.xcapDocument.findUnique({ where: { server_selector: { server: this.#server, selector } } });
    const previous = this.#docs.get(selector);
    if (row !== null && previous !== undefined && previous.id === row.id && previous.version >= row.version) return;
    if (row === null) this.#docs.delete(selector);
    else this.#docs.set(selector, toStored(row, selector));
    const next = this.#docs.get(selector);
    if (previous?.etag !== next?.etag) this.#emit({ selector, previous, next });
  }

  #emit(change: DocumentChange): void {
    for (const l of this.#listeners) l(change);
  }

  put(selector: string, body: string, options: PutOptions): Promise<StoredDocument> {
    return this.#serialized(selector, async () => {
      const current = this.#check(selector, options.ifEtag);
      const etag = computeEtag(body);
      const prisma = this.#db.prisma;
      let row: StoredRow;
      if (current === undefined) {
        try {
          const created = await prisma.$transaction(async (tx) => {
            const r = await tx.xcapDocument.create({
              data: { server: this.#server, selector, ...columnsOf(selector), contentType: options.contentType, body, etag },
            });
            await this.#publish(tx, selector);
            return r;
          });
          row = toStored(created, selector);
        } catch (err) {
          if (!isConflict(err)) throw err;
          await this.#reload(selector);
          throw new EtagMismatch(selector, options.ifEtag, this.#docs.get(selector)?.etag);
        }
      } else {
        const outcome = await prisma.$transaction(async (tx) => {
          const r = await updateIfVersion(tx.xcapDocument, { id: current.id, version: current.version }, { body, etag, contentType: options.contentType });
          if (r === 'updated') await this.#publish(tx, selector);
          return r;
        });
        if (outcome === 'conflict') {
          await this.#reload(selector);
          throw new EtagMismatch(selector, options.ifEtag, this.#docs.get(selector)?.etag);
        }
        row = { ...current, body, etag, contentType: options.contentType, version: current.version + 1, updatedAt: new Date() };
      }
      this.#docs.set(selector, row);
      this.#emit({ selector, previous: current, next: row });
      return row;
    });
  }

  delete(selector: string, options: DeleteOptions = {}): Promise<StoredDocument | undefined> {
    return this.#serialized(selector, async () => {
      const current = this.#check(selector, options.ifEtag);
      if (current === undefined) return undefined;
      const count = await this.#db.prisma.$transaction(async (tx) => {
        const r = await tx.xcapDocument.deleteMany({ where: { id: current.id, version: current.version } });
        if (r.count === 1) await this.#publish(tx, selector);
        return r.count;
      });
      if (count !== 1) {
        await this.#reload(selector);
        throw new EtagMismatch(selector, options.ifEtag, this.#docs.get(selector)?.etag);
      }
      this.#docs.delete(selector);
      this.#emit({ selector, previous: current, next: undefined });
      return current;
    });
  }
}
