/**
 * The UE host's local copies on disk: one append-only log file per UE host (`<dataDir>/copies.log`)
 * instead of a file per document (issue #14: the per-document open, write, rename and close of a
 * migration's copies were about a fifth of the UE host's CPU; docs/performance.md). Our choice.
 *
 * - A record is `u32 length of the rest | u8 kind | 16-byte UE key | 16-byte document key |
 *   payload`: kind 1 stores a payload (the latest record of a key wins), kind 2 removes a document,
 *   kind 3 removes every document of a UE. The keys are hashes (they reveal neither the UE id nor the
 *   selector); the payload is opaque here (ProtectedStore encrypts it, AES-GCM).
 * - Appends are batched: what is queued within one turn of the event loop is written with one
 *   `write` on the file descriptor the log keeps open, one batch at a time, in queue order; each
 *   caller's promise settles when its batch is written (rejects when it failed).
 * - An in-memory index (UE key → document key → offset and length of the latest payload) is built
 *   by reading the file once at open; a record cut short at the end (a crash during a write) is
 *   dropped and the file truncated to the last whole record.
 * - Compaction: when more than half of a log over {@link COMPACT_MIN_BYTES} is dead (replaced or
 *   removed records), the live records are written to a new file that replaces the old one
 *   (synchronously, between batches: tens of milliseconds for tens of megabytes, rare).
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, renameSync, write as writeCb, writeFileSync, fstatSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';

const write = promisify(writeCb);

export const KIND_PUT = 1;
export const KIND_DELETE = 2;
export const KIND_DROP = 3;
const KEY = 16;
/** Bytes before the payload: length (4), kind (1), UE key, document key. */
const HEAD = 4 + 1 + KEY + KEY;
/** Below this size the log is never compacted (our choice). */
export const COMPACT_MIN_BYTES = 32 * 1024 * 1024;

interface Location {
  offset: number;
  length: number;
}

interface Op {
  record: Buffer;
  kind: number;
  ue: string;
  doc: string;
  resolve(): void;
  reject(err: unknown): void;
}

export class CopyLog {
  readonly path: string;
  #fd: number;
  #size = 0;
  #dead = 0;
  readonly #index = new Map<string, Map<string, Location>>();
  #queue: Op[] = [];
  #draining: Promise<void> | undefined;
  #scheduled = false;
  #closed = false;

  /** Opens (creating when absent) `<dataDir>/copies.log` and reads its index. */
  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, 'copies.log');
    this.#fd = openSync(this.path, 'a+', 0o600);
    this.#load();
  }

  #load(): void {
    const data = readFileSync(this.path);
    let at = 0;
    while (at + 4 <= data.length) {
      const rest = data.readUInt32BE(at);
      if (rest < HEAD - 4 || at + 4 + rest > data.length) break;
      const kind = data[at + 4]!;
      const ue = data.toString('hex', at + 5, at + 5 + KEY);
      const doc = data.toString('hex', at + 5 + KEY, at + HEAD);
      this.#apply(kind, ue, doc, { offset: at + HEAD, length: 4 + rest - HEAD });
      at += 4 + rest;
    }
    if (at < data.length) ftruncateSync(this.#fd, at); // a record cut short by a crash
    this.#size = at;
  }

  #apply(kind: number, ue: string, doc: string, loc: Location): void {
    const docs = this.#index.get(ue);
    if (kind === KIND_PUT) {
      const map = docs ?? new Map<string, Location>();
      if (!docs) this.#index.set(ue, map);
      const old = map.get(doc);
      if (old) this.#dead += HEAD + old.length;
      map.set(doc, loc);
      return;
    }
    this.#dead += HEAD + loc.length; // the removal record itself is dead weight
    if (!docs) return;
    if (kind === KIND_DELETE) {
      const old = docs.get(doc);
      if (old) this.#dead += HEAD + old.length;
      docs.delete(doc);
      if (docs.size === 0) this.#index.delete(ue);
    } else if (kind === KIND_DROP) {
      for (const old of docs.values()) this.#dead += HEAD + old.length;
      this.#index.delete(ue);
    }
  }

  /** Whether the index holds a payload for the document (written, not removed). */
  has(ue: Buffer, doc: Buffer): boolean {
    return this.#index.get(ue.toString('hex'))?.has(doc.toString('hex')) ?? false;
  }

  /** How many documents of a UE the log holds. */
  count(ue: Buffer): number {
    return this.#index.get(ue.toString('hex'))?.size ?? 0;
  }

  /** Where the payload of a document is in the file (tests that tamper with it). */
  locate(ue: Buffer, doc: Buffer): Location | undefined {
    return this.#index.get(ue.toString('hex'))?.get(doc.toString('hex'));
  }

  /** The latest payload of a document, read from the file; undefined when there is none. */
  get(ue: Buffer, doc: Buffer): Buffer | undefined {
    const loc = this.locate(ue, doc);
    if (!loc) return undefined;
    const out = Buffer.allocUnsafe(loc.length);
    const n = readSync(this.#fd, out, 0, loc.length, loc.offset);
    return n === loc.length ? out : out.subarray(0, n);
  }

  put(ue: Buffer, doc: Buffer, payload: Buffer): Promise<void> {
    return this.#enqueue(KIND_PUT, ue, doc, payload);
  }

  delete(ue: Buffer, doc: Buffer): Promise<void> {
    return this.#enqueue(KIND_DELETE, ue, doc, Buffer.alloc(0));
  }

  /** Removes every document of a UE. */
  drop(ue: Buffer): Promise<void> {
    return this.#enqueue(KIND_DROP, ue, Buffer.alloc(KEY), Buffer.alloc(0));
  }

  #enqueue(kind: number, ue: Buffer, doc: Buffer, payload: Buffer): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the copy log is closed'));
    const head = Buffer.allocUnsafe(HEAD);
    head.writeUInt32BE(HEAD - 4 + payload.length, 0);
    head[4] = kind;
    ue.copy(head, 5, 0, KEY);
    doc.copy(head, 5 + KEY, 0, KEY);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ record: payload.length ? Buffer.concat([head, payload]) : head, kind, ue: ue.toString('hex', 0, KEY), doc: doc.toString('hex', 0, KEY), resolve, reject });
      if (!this.#scheduled && !this.#draining) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          this.#drain();
        });
      }
    });
  }

  /** Writes the queued records in batches, one at a time, until the queue is empty. */
  #drain(): void {
    if (this.#draining || this.#queue.length === 0) return;
    this.#draining = (async () => {
      while (this.#queue.length > 0) {
        const batch = this.#queue;
        this.#queue = [];
        const data = batch.length === 1 ? batch[0]!.record : Buffer.concat(batch.map((o) => o.record));
        try {
          let done = 0;
          while (done < data.length) done += (await write(this.#fd, data, done, data.length - done)).bytesWritten;
        } catch (err) {
          // What reached the file may be a partial record: cut it off so later appends stay aligned.
          try {
            ftruncateSync(this.#fd, this.#size);
          } catch {
            // the next open drops a partial record anyway
          }
          for (const o of batch) o.reject(err);
          continue;
        }
        let at = this.#size;
        for (const o of batch) {
          this.#apply(o.kind, o.ue, o.doc, { offset: at + HEAD, length: o.record.length - HEAD });
          at += o.record.length;
        }
        this.#size = at;
        for (const o of batch) o.resolve();
        if (this.#queue.length === 0) this.#compactIfWorth();
      }
    })().finally(() => {
      this.#draining = undefined;
      if (this.#queue.length > 0) this.#drain();
    });
  }

  /** Resolves when every record queued before has been written (or failed). */
  async settled(): Promise<void> {
    while (this.#draining || this.#scheduled) await (this.#draining ?? new Promise((r) => setImmediate(r)));
  }

  #compactIfWorth(): void {
    if (this.#size < COMPACT_MIN_BYTES || this.#dead * 2 < this.#size) return;
    this.compact();
  }

  /** Rewrites the live records into a new file that replaces the log (between batches). */
  compact(): void {
    const chunks: Buffer[] = [];
    const next = new Map<string, Map<string, Location>>();
    let at = 0;
    for (const [ue, docs] of this.#index) {
      const map = new Map<string, Location>();
      next.set(ue, map);
      for (const [doc, loc] of docs) {
        const payload = Buffer.allocUnsafe(loc.length);
        readSync(this.#fd, payload, 0, loc.length, loc.offset);
        const head = Buffer.allocUnsafe(HEAD);
        head.writeUInt32BE(HEAD - 4 + loc.length, 0);
        head[4] = KIND_PUT;
        head.write(ue, 5, 'hex');
        head.write(doc, 5 + KEY, 'hex');
        chunks.push(head, payload);
        map.set(doc, { offset: at + HEAD, length: loc.length });
        at += HEAD + loc.length;
      }
    }
    const tmp = `${this.path}.compact`;
    writeFileSync(tmp, Buffer.concat(chunks), { mode: 0o600 });
    renameSync(tmp, this.path);
    closeSync(this.#fd);
    this.#fd = openSync(this.path, 'a+', 0o600);
    this.#index.clear();
    for (const [ue, map] of next) this.#index.set(ue, map);
    this.#size = fstatSync(this.#fd).size;
    this.#dead = 0;
  }

  /** Size of the file and of its dead records (tests, diagnostics). */
  get stats(): { size: number; dead: number } {
    return { size: this.#size, dead: this.#dead };
  }

  /** Writes what is queued, then closes the file. */
  async close(): Promise<void> {
    await this.settled();
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}
