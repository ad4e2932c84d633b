/**
 * The CMS document store: every XCAP document of this server held in memory (documents,
 * ETags, version numbers, the bounded list of earlier versions) and written through to the
 * database (`XcapDocument`, `XcapDocumentVersion`).
 *
 * - Reads (`get`, `list`) never query the database: a conditional GET and a NOTIFY fan-out
 *   cost no query (docs/toolchain.md, "Speed").
 * - Writes are compare-and-set on the ETag (RFC 4825 clause 7.11), serialized per document,
 *   database first (one transaction: the row with an optimistic version check, the new
 *   version in the history, pruning), then memory, then one change event. Every cause of a
 *   change (XCAP PUT/DELETE, admin edit, CSC-17 share, seeding, per-UE generation) goes
 *   through here, so every change is versioned and notified the same way.
 * - Replicas (issue #17: several CMS instances on one PostgreSQL database): each write publishes
 *   its selector on the change feed (@mcx/db change-feed.ts) inside its transaction; the other
 *   instances re-read that document and announce the change with cause `replica`, so their
 *   subscribers are notified too. A lost race (another instance wrote first) is detected by the
 *   database's version check, as between two writers of one instance, and re-reads the document.
 */
import { randomUUID } from 'node:crypto';
import type { ChangeFeed, Database, TransactionClient } from '@mcx/db';
import { updateIfVersion } from '@mcx/db';
import {
  computeEtag,
  EtagMismatch,
  formatDocumentSelector,
  parseXcapUri,
  type DeleteOptions,
  type DocumentSelector,
  type DocumentStore,
  type ExpectedEtag,
  type PutOptions,
  type StoredDocument,
} from '@mcx/xcap';

/**
 * Why a document changed (for logs, admin listings and the event stream); `replica`: another
 * instance of this CMS changed it (that instance's listeners acted on the cause).
 */
export type ChangeCause = 'xcap' | 'admin' | 'csc17' | 'seed' | 'generated' | 'replica';

/** The change-feed topic of document changes (key: the selector, or `*` for many at once). */
const DOC_TOPIC = 'doc';

export interface CmsPutOptions extends PutOptions {
  cause?: ChangeCause;
}
export interface CmsDeleteOptions extends DeleteOptions {
  cause?: ChangeCause;
}

/** One change of one document (created: no previous; deleted: no next). */
export interface DocumentChangeEvent {
  selector: string;
  document: DocumentSelector;
  previous?: StoredDocument;
  next?: StoredDocument;
  cause: ChangeCause;
}

export interface VersionInfo {
  version: number;
  etag: string;
  createdAt: Date;
}

/** A document to create (createMany). */
export interface NewDocument {
  selector: string;
  body: string;
  contentType: string;
}

/** Documents per transaction of createMany (our choice: well under SQLite's bound-parameter limit of 32,766 at 12 columns). */
const CREATE_CHUNK = 500;

interface Entry {
  id: string;
  doc: StoredDocument;
  /** Versions kept in the database history, oldest first (the current one included). */
  history: VersionInfo[];
}

/** The decoded selector as stored in the `selector` column (not percent-encoded, per the model). */
function plainSelector(d: DocumentSelector): string {
  return [d.auid, d.tree, ...(d.tree === 'users' ? [d.xui ?? ''] : []), ...d.path].join('/');
}

export class CmsDocumentStore implements DocumentStore {
  readonly #db: Database;
  readonly #server: string;
  readonly #historyLimit: number;
  readonly #docs = new Map<string, Entry>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #listeners = new Set<(e: DocumentChangeEvent) => void>();
  readonly #feed: ChangeFeed | undefined;
  readonly #unsubscribe: () => void;

  private constructor(db: Database, server: string, historyLimit: number, feed: ChangeFeed | undefined) {
    this.#db = db;
    this.#server = server;
    this.#historyLimit = historyLimit;
    this.#feed = feed?.shared ? feed : undefined;
    this.#unsubscribe =
      this.#feed?.subscribe(DOC_TOPIC, {
        change: (selector) => void (selector === '*' ? this.resync() : this.#applyRemote(selector)).catch(() => undefined),
        resync: () => void this.resync().catch(() => undefined),
      }) ?? (() => undefined);
  }

  /**
   * Loads every document of `server` (and its version list) into memory; with a shared change
   * feed, keeps the view current with what the other instances write.
   */
  static async open(db: Database, server: string, historyLimit: number, feed?: ChangeFeed): Promise<CmsDocumentStore> {
    const store = new CmsDocumentStore(db, server, historyLimit, feed);
    await store.reload();
    return store;
  }

  /** Stops following the other instances' changes. */
  close(): void {
    this.#unsubscribe();
  }

  /** Re-reads the whole view from the database (start-up). */
  async reload(): Promise<void> {
    const next = await this.#readAll();
    this.#docs.clear();
    for (const [k, v] of next) this.#docs.set(k, v);
  }

  /**
   * Re-reads the whole view and announces every document that differs (cause `replica`): after
   * the change feed lost notifications, or many documents created at once by another instance.
   * A document being written here is left to that write.
   */
  async resync(): Promise<void> {
    const next = await this.#readAll();
    const events: DocumentChangeEvent[] = [];
    for (const [selector, e] of next) {
      const current = this.#docs.get(selector);
      if (this.#locks.has(selector) || current?.doc.etag === e.doc.etag) continue;
      this.#docs.set(selector, e);
      events.push({ selector, document: parseXcapUri(selector).document, ...(current ? { previous: current.doc } : {}), next: e.doc, cause: 'replica' });
    }
    for (const [selector, current] of this.#docs) {
      if (next.has(selector) || this.#locks.has(selector)) continue;
      this.#docs.delete(selector);
      events.push({ selector, document: parseXcapUri(selector).document, previous: current.doc, cause: 'replica' });
    }
    for (const e of events) this.#emit(e);
  }

  /** Re-reads one document another instance changed, in turn with this instance's writes of it. */
  #applyRemote(selector: string): Promise<void> {
    return this.#serialize(selector, () => this.#reread(selector));
  }

  /**
   * Re-reads one document (its writes serialized by the caller) and announces it when it differs
   * from the view: another instance changed it (feed) or won a race with a write here.
   */
  async #reread(selector: string): Promise<void> {
    const document = parseXcapUri(selector).document;
    const row = await this.#db.prisma.xcapDocument.findUnique({ where: { server_selector: { server: this.#server, selector: plainSelector(document) } } });
    const current = this.#docs.get(selector);
    if (!row) {
      if (!current) return;
      this.#docs.delete(selector);
      this.#emit({ selector, document, previous: current.doc, cause: 'replica' });
      return;
    }
    if (current && current.id === row.id && current.doc.version >= row.version) return;
    const history = await this.#db.prisma.xcapDocumentVersion.findMany({
      where: { documentId: row.id },
      select: { version: true, etag: true, createdAt: true },
      orderBy: { version: 'asc' },
    });
    const entry: Entry = {
      id: row.id,
      doc: { selector, body: row.body, etag: row.etag, version: row.version, contentType: row.contentType, updatedAt: row.updatedAt },
      history,
    };
    this.#docs.set(selector, entry);
    this.#emit({ selector, document, ...(current ? { previous: current.doc } : {}), next: entry.doc, cause: 'replica' });
  }

  /** Publishes a change to the other instances, inside the writing transaction (delivered at commit). */
  async #publish(tx: TransactionClient, selector: string): Promise<void> {
    await this.#feed?.publish(DOC_TOPIC, selector, tx);
  }

  async #readAll(): Promise<Map<string, Entry>> {
    // Two queries, the versions joined by server: an `include` of the versions would bind every
    // document id as a parameter and fail beyond the database's parameter limit (~1,000 documents).
    const [rows, versionRows] = await Promise.all([
      this.#db.prisma.xcapDocument.findMany({ where: { server: this.#server } }),
      this.#db.prisma.xcapDocumentVersion.findMany({
        where: { document: { server: this.#server } },
        select: { documentId: true, version: true, etag: true, createdAt: true },
        orderBy: [{ documentId: 'asc' }, { version: 'asc' }],
      }),
    ]);
    const versionsOf = new Map<string, VersionInfo[]>();
    for (const { documentId, ...v } of versionRows) {
      const list = versionsOf.get(documentId);
      if (list) list.push(v);
      else versionsOf.set(documentId, [v]);
    }
    const docs = new Map<string, Entry>();
    for (const r of rows) {
      const document: DocumentSelector =
        r.tree === 'users' ? { auid: r.auid, tree: 'users', xui: r.xui, path: r.path.split('/') } : { auid: r.auid, tree: 'global', path: r.path.split('/') };
      const selector = formatDocumentSelector(document);
      docs.set(selector, {
        id: r.id,
        doc: { selector, body: r.body, etag: r.etag, version: r.version, contentType: r.contentType, updatedAt: r.updatedAt },
        history: versionsOf.get(r.id) ?? [],
      });
    }
    return docs;
  }

  /** Subscribes to every change; returns the unsubscribe function. */
  onChange(listener: (e: DocumentChangeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get size(): number {
    return this.#docs.size;
  }

  async get(selector: string): Promise<StoredDocument | undefined> {
    return this.#docs.get(selector)?.doc;
  }

  /** Synchronous read of the in-memory view (hot paths). */
  peek(selector: string): StoredDocument | undefined {
    return this.#docs.get(selector)?.doc;
  }

  async list(prefix: string): Promise<StoredDocument[]> {
    return this.listSync(prefix);
  }

  listSync(prefix: string): StoredDocument[] {
    const out: StoredDocument[] = [];
    for (const [sel, e] of this.#docs) if (sel.startsWith(prefix)) out.push(e.doc);
    return out;
  }

  /** The versions kept for a document (oldest first), from memory, without a copy (do not modify). */
  historyView(selector: string): readonly VersionInfo[] {
    return this.#docs.get(selector)?.history ?? [];
  }

  /** The versions kept for a document (oldest first), from memory. */
  history(selector: string): VersionInfo[] {
    return [...(this.#docs.get(selector)?.history ?? [])];
  }

  /** One kept version (the current one from memory, earlier ones from the database). */
  async getVersion(selector: string, version: number): Promise<StoredDocument | undefined> {
    const e = this.#docs.get(selector);
    if (!e) return undefined;
    if (e.doc.version === version) return e.doc;
    const row = await this.#db.prisma.xcapDocumentVersion.findUnique({ where: { documentId_version: { documentId: e.id, version } } });
    if (!row) return undefined;
    return { selector, body: row.body, etag: row.etag, version: row.version, contentType: e.doc.contentType, updatedAt: row.createdAt };
  }

  /**
   * Creates documents that do not exist yet, many at once: one transaction per chunk of
   * {@link CREATE_CHUNK} with one multi-row insert per table, instead of a transaction per document
   * (seeding thousands of users at start, issue #14; our choice). A document that exists, or is
   * being written, is not touched and counts as existing. Each created document is announced as a
   * put would announce it. When a chunk fails (a replica created one of its documents first), its
   * documents are created one by one.
   */
  async createMany(docs: readonly NewDocument[], cause: ChangeCause): Promise<{ created: string[]; existing: number }> {
    const created: string[] = [];
    let existing = 0;
    const absent = new Map<string, NewDocument>();
    for (const d of docs) {
      if (this.#docs.has(d.selector) || this.#locks.has(d.selector) || absent.has(d.selector)) existing++;
      else absent.set(d.selector, d);
    }
    const list = [...absent.values()];
    for (let i = 0; i < list.length; i += CREATE_CHUNK) {
      const chunk = list.slice(i, i + CREATE_CHUNK).filter((d) => !this.#docs.has(d.selector) && !this.#locks.has(d.selector));
      existing += Math.min(CREATE_CHUNK, list.length - i) - chunk.length;
      if (chunk.length === 0) continue;
      const now = new Date();
      const rows = chunk.map((d) => ({ d, id: randomUUID(), etag: computeEtag(d.body), document: parseXcapUri(d.selector).document }));
      try {
        await this.#db.prisma.$transaction(async (tx) => {
          await tx.xcapDocument.createMany({
            data: rows.map(({ d, id, etag, document }) => this.#newRow(id, document, d.contentType, d.body, etag)),
          });
          await tx.xcapDocumentVersion.createMany({ data: rows.map(({ d, id, etag }) => ({ documentId: id, version: 1, etag, body: d.body })) });
          // The other instances re-read their view once for the chunk, not once per document.
          await this.#publish(tx, '*');
        });
      } catch {
        for (const { d } of rows) {
          try {
            await this.put(d.selector, d.body, { ifEtag: null, contentType: d.contentType, cause });
            created.push(d.selector);
          } catch (err) {
            if (!(err instanceof EtagMismatch)) throw err;
            existing++;
          }
        }
        continue;
      }
      for (const { d, id, etag, document } of rows) {
        const doc: StoredDocument = { selector: d.selector, body: d.body, etag, version: 1, contentType: d.contentType, updatedAt: now };
        this.#docs.set(d.selector, { id, doc, history: [{ version: 1, etag, createdAt: now }] });
        this.#emit({ selector: d.selector, document, next: doc, cause });
        created.push(d.selector);
      }
    }
    return { created, existing };
  }

  put(selector: string, body: string, options: CmsPutOptions): Promise<StoredDocument> {
    return this.#serialize(selector, () => this.#put(selector, body, options));
  }

  delete(selector: string, options: CmsDeleteOptions = {}): Promise<StoredDocument | undefined> {
    return this.#serialize(selector, () => this.#delete(selector, options));
  }

  /** Runs writes of one document one after the other (the compare-and-set sees the previous write). */
  #serialize<T>(selector: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(selector) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#locks.set(selector, tail);
    void tail.then(() => {
      if (this.#locks.get(selector) === tail) this.#locks.delete(selector);
    });
    return run;
  }

  /** The `XcapDocument` row of a new document (version 1). */
  #newRow(id: string, document: DocumentSelector, contentType: string, body: string, etag: string) {
    return {
      id,
      server: this.#server,
      auid: document.auid,
      tree: document.tree,
      xui: document.xui ?? '',
      path: document.path.join('/'),
      selector: plainSelector(document),
      owner: document.xui ?? null,
      contentType,
      body,
      etag,
      version: 1,
    };
  }

  #check(selector: string, expected: ExpectedEtag): Entry | undefined {
    const current = this.#docs.get(selector);
    if (expected === undefined) return current;
    const ok = expected === null ? current === undefined : current?.doc.etag === expected;
    if (!ok) throw new EtagMismatch(selector, expected, current?.doc.etag);
    return current;
  }

  async #put(selector: string, body: string, options: CmsPutOptions): Promise<StoredDocument> {
    const current = this.#check(selector, options.ifEtag);
    const etag = computeEtag(body);
    const document = parseXcapUri(selector).document;
    const now = new Date();
    const prisma = this.#db.prisma;
    let entry: Entry;
    if (current === undefined) {
      const id = randomUUID();
      try {
        await prisma.$transaction(async (tx) => {
          await tx.xcapDocument.create({ data: this.#newRow(id, document, options.contentType, body, etag) });
          await tx.xcapDocumentVersion.create({ data: { documentId: id, version: 1, etag, body } });
          await this.#publish(tx, selector);
        });
      } catch (err) {
        // Another replica created it first: refresh the view, report the lost race.
        await this.#reread(selector);
        throw new EtagMismatch(selector, options.ifEtag, this.#docs.get(selector)?.doc.etag ?? String(err));
      }
      entry = { id, doc: { selector, body, etag, version: 1, contentType: options.contentType, updatedAt: now }, history: [{ version: 1, etag, createdAt: now }] };
    } else {
      const version = current.doc.version + 1;
      const keepFrom = version - this.#historyLimit;
      const outcome = await prisma.$transaction(async (tx) => {
        const r = await updateIfVersion(tx.xcapDocument, { id: current.id, version: current.doc.version }, { body, etag, contentType: options.contentType });
        if (r === 'conflict') return r;
        await tx.xcapDocumentVersion.create({ data: { documentId: current.id, version, etag, body } });
        await tx.xcapDocumentVersion.deleteMany({ where: { documentId: current.id, version: { lt: keepFrom } } });
        await this.#publish(tx, selector);
        return r;
      });
      if (outcome === 'conflict') {
        await this.#reread(selector);
        throw new EtagMismatch(selector, options.ifEtag, this.#docs.get(selector)?.doc.etag);
      }
      entry = {
        id: current.id,
        doc: { selector, body, etag, version, contentType: options.contentType, updatedAt: now },
        history: [...current.history.filter((h) => h.version >= keepFrom), { version, etag, createdAt: now }],
      };
    }
    this.#docs.set(selector, entry);
    this.#emit({ selector, document, ...(current ? { previous: current.doc } : {}), next: entry.doc, cause: options.cause ?? 'xcap' });
    return entry.doc;
  }

  async #delete(selector: string, options: CmsDeleteOptions): Promise<StoredDocument | undefined> {
    const current = this.#check(selector, options.ifEtag);
    if (current === undefined) return undefined;
    const count = await this.#db.prisma.$transaction(async (tx) => {
      const r = await tx.xcapDocument.deleteMany({ where: { id: current.id, version: current.doc.version } });
      if (r.count === 1) await this.#publish(tx, selector);
      return r.count;
    });
    if (count !== 1) {
      await this.#reread(selector);
      throw new EtagMismatch(selector, options.ifEtag, this.#docs.get(selector)?.doc.etag);
    }
    this.#docs.delete(selector);
    this.#emit({ selector, document: parseXcapUri(selector).document, previous: current.doc, cause: options.cause ?? 'xcap' });
    return current.doc;
  }

  #emit(e: DocumentChangeEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch {
        // A listener failure must not undo a stored change; listeners log their own errors.
      }
    }
  }
}
