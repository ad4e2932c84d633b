/**
 * Local copies of configuration documents, confidentiality- and integrity-protected at rest
 * (TS 23.280 clause 10.1.4.1: a user profile stored at the UE is confidentiality and integrity
 * protected; TS 24.484 clause 7.2.2.1 integrity/confidentiality flags).
 *
 * AES-256-GCM (authenticated encryption) with a per-UE key derived by HKDF-SHA256 from the host
 * secret and the UE id. The copies of every UE of a host are records of one append-only log
 * (copy-log.ts: `<dataDir>/copies.log`, keyed by hashes of the UE id and of system + selector); a
 * payload is `nonce (12) | tag (16) | ciphertext`, and the additional authenticated data binds it to
 * its UE, system and document selector, so a modified or truncated payload, or one moved under
 * another document or UE, fails to open and is reported as `tampered` (the UE then re-fetches it
 * from the server).
 *
 * Writes do not block their caller (issue #14, our choice): `write` encrypts and queues the record
 * and returns; until it is in the file a `read` of that document answers the copy being written,
 * writes and removals keep their order (the log writes in queue order), and `flush()` resolves when
 * every write started before it is in the file (rejects with the first that failed). The UE flushes
 * before it reports what depends on its copies (the subscribing step's SUBSCRIBED, the end of an
 * UPDATING, a sync's or an upload's result; ue/document-sync.ts, subscribe.ts, ue.ts).
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CopyLog } from './copy-log.ts';

export interface StoredCopy {
  system: string;
  selector: string;
  etag: string;
  contentType: string;
  body: string;
  /** Version number the server gave (MCX-Profile-Version), when known. */
  version?: number;
}

export type ReadResult = { ok: true; copy: StoredCopy } | { ok: false; reason: 'missing' | 'tampered' };

/** The host secret: given, or <dataDir>/ue-host.secret (created with 32 random bytes, mode 0600). */
export function loadHostSecret(dataDir: string, given?: string): Buffer {
  if (given) return Buffer.from(given, 'hex');
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'ue-host.secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

const KEY_BYTES = 16;
const hashKey = (text: string) => createHash('sha256').update(text).digest().subarray(0, KEY_BYTES);

const NONCE_BYTES = 12;
/** Nonces drawn from the random generator at once (our choice, issue #14: one call per 256 writes, not one per write). */
const NONCES_PER_DRAW = 256;
let nonces = Buffer.alloc(0);
let nextNonce = 0;

/**
 * A random 96-bit AES-GCM nonce (NIST SP 800-38D clause 8.2.2, the RBG-based construction: the
 * whole IV random), taken from a pool refilled {@link NONCES_PER_DRAW} at a time. A refill is a
 * new buffer, so a nonce handed out is never overwritten.
 */
function randomNonce(): Buffer {
  if (nextNonce === nonces.length) {
    nonces = randomBytes(NONCE_BYTES * NONCES_PER_DRAW);
    nextNonce = 0;
  }
  const nonce = nonces.subarray(nextNonce, nextNonce + NONCE_BYTES);
  nextNonce += NONCE_BYTES;
  return nonce;
}

export class ProtectedStore {
  readonly #key: Buffer;
  readonly #log: CopyLog;
  /** The UE's key in the log (a hash of its id). */
  readonly #ue: Buffer;
  /** The log key of each document of this UE seen so far (system + selector), hashed once. */
  readonly #docKeys = new Map<string, Buffer>();
  #closed = false;
  /** Writes and removals not finished yet. */
  readonly #writes = new Set<Promise<void>>();
  /** Per document: the copy whose write has not finished (undefined: being removed) and its last operation. */
  readonly #pending = new Map<string, { copy: StoredCopy | undefined; last: Promise<void> }>();
  /** The first write that failed since the last flush. */
  #failed: unknown;

  constructor(hostSecret: Buffer, log: CopyLog, readonly ueId: string) {
    this.#key = Buffer.from(hkdfSync('sha256', hostSecret, Buffer.from(ueId, 'utf8'), Buffer.from('mcx-ue at-rest v1'), 32));
    this.#log = log;
    this.#ue = hashKey(`ue\n${ueId}`);
  }

  /** The log keys of one document of this UE (hashes: they reveal neither). */
  keysOf(system: string, selector: string): { ue: Buffer; doc: Buffer } {
    const name = `${system}\n${selector}`;
    let doc = this.#docKeys.get(name);
    if (doc === undefined) this.#docKeys.set(name, (doc = hashKey(name)));
    return { ue: this.#ue, doc };
  }

  /** Where a document's payload is in the log file (tests that tamper with it); undefined when it is not there. */
  locate(system: string, selector: string): { path: string; offset: number; length: number } | undefined {
    const { ue, doc } = this.keysOf(system, selector);
    const loc = this.#log.locate(ue, doc);
    return loc && { path: this.#log.path, ...loc };
  }

  /** How many documents of this UE the log holds (written, not removed). */
  get stored(): number {
    return this.#log.count(this.#ue);
  }

  #aad(system: string, selector: string): Buffer {
    return Buffer.from(`mcx-ue\n${this.ueId}\n${system}\n${selector}`, 'utf8');
  }

  /** Tracks `op` on document `key` (its copy readable until done) and its failure for the next flush. */
  #track(key: string, copy: StoredCopy | undefined, op: Promise<void>): Promise<void> {
    const entry = { copy, last: op };
    this.#pending.set(key, entry);
    const done = () => {
      if (this.#pending.get(key) === entry) this.#pending.delete(key);
    };
    // Settles once the document is readable from the log (or the write failed).
    const result = op.then(done, (err: unknown) => {
      done();
      this.#failed ??= err;
      throw err;
    });
    const tracked: Promise<void> = result.catch(() => undefined).finally(() => this.#writes.delete(tracked));
    this.#writes.add(tracked);
    return result;
  }

  /**
   * Stores a copy: encrypted now, written without blocking (the promise resolves when it is in the
   * log; `flush` waits for every write). Once the store is closed (its UE is stopping) a write is
   * not started and resolves without storing: our own choice, so that no copy is added for a UE
   * being removed.
   */
  write(copy: StoredCopy): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const { ue, doc } = this.keysOf(copy.system, copy.selector);
    const nonce = randomNonce();
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(this.#aad(copy.system, copy.selector));
    const ct = Buffer.concat([cipher.update(JSON.stringify(copy), 'utf8'), cipher.final()]);
    return this.#track(doc.toString('hex'), copy, this.#log.put(ue, doc, Buffer.concat([nonce, cipher.getAuthTag(), ct])));
  }

  /** Resolves when every write started before is in the log; rejects with the first write that failed since the last flush. */
  async flush(): Promise<void> {
    await Promise.all([...this.#writes]);
    const failed = this.#failed;
    this.#failed = undefined;
    if (failed !== undefined) throw failed;
  }

  async read(system: string, selector: string): Promise<ReadResult> {
    const { ue, doc } = this.keysOf(system, selector);
    const pending = this.#pending.get(doc.toString('hex'));
    if (pending) {
      if (pending.copy) return { ok: true, copy: pending.copy };
      return { ok: false, reason: 'missing' }; // being removed
    }
    let data: Buffer | undefined;
    try {
      data = this.#log.get(ue, doc);
    } catch {
      return { ok: false, reason: 'missing' };
    }
    if (data === undefined) return { ok: false, reason: 'missing' };
    if (data.length < 29) return { ok: false, reason: 'tampered' };
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, data.subarray(0, 12));
      decipher.setAAD(this.#aad(system, selector));
      decipher.setAuthTag(data.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
      const copy = JSON.parse(plain) as StoredCopy;
      if (copy.system !== system || copy.selector !== selector) return { ok: false, reason: 'tampered' };
      return { ok: true, copy };
    } catch {
      return { ok: false, reason: 'tampered' };
    }
  }

  remove(system: string, selector: string): Promise<void> {
    const { ue, doc } = this.keysOf(system, selector);
    return this.#track(doc.toString('hex'), undefined, this.#log.delete(ue, doc));
  }

  /** Starts no new write and resolves when the writes in flight have ended (stored or failed). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#writes]);
  }

  /** Closes the store, then removes every copy of the UE from the log. */
  async destroy(): Promise<void> {
    await this.close();
    await this.#log.drop(this.#ue);
  }
}
