/**
 * Local copies of configuration documents, confidentiality- and integrity-protected at rest
 * (TS 23.280 clause 10.1.4.1: a user profile stored at the UE is confidentiality and integrity
 * protected; TS 24.484 clause 7.2.2.1 integrity/confidentiality flags).
 *
 * AES-256-GCM (authenticated encryption) with a per-UE key derived by HKDF-SHA256 from the host
 * secret and the UE id. One file per document under `<dataDir>/ues/<ue-id>/`:
 * `nonce (12) | tag (16) | ciphertext`; the additional authenticated data binds the file to its
 * UE, system and document selector, so a modified, truncated or swapped file fails to open and
 * is reported as `tampered` (the UE then re-fetches it from the server).
 *
 * Writes do not block their caller (issue #14, our choice): `write` encrypts and starts the file
 * write (temporary file, then rename) and returns; until it is on disk a `read` of that document
 * answers the copy being written, writes and removals of one file keep their order, and `flush()`
 * resolves when every write started before it is on disk (rejects with the first that failed). The
 * UE flushes before it reports what depends on its copies (the subscribing step's SUBSCRIBED, the
 * end of an UPDATING, a sync's or an upload's result; ue/document-sync.ts, subscribe.ts, ue.ts).
 *
 * The folder is listed once, at first use; from then on the store knows which files exist (its
 * own writes and removals) and does not open a file that is not there (a migration's documents in
 * a partner system are new: no failed open per document).
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile as readFileCb, rename as renameCb, writeFile as writeFileCb } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { basename, join } from 'node:path';

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

/**
 * The callback forms of readFile / writeFile / rename, promisified: about half the CPU of
 * fs/promises' (no FileHandle per call; measured ~150 µs → ~85 µs per 1.5 KB read). Our choice.
 */
const readFile = promisify(readFileCb);
const writeFile = promisify(writeFileCb);
const rename = promisify(renameCb);

export class ProtectedStore {
  readonly #key: Buffer;
  readonly #dir: string;
  #dirMade = false;
  #closed = false;
  /** Writes and removals not finished yet. */
  readonly #writes = new Set<Promise<void>>();
  /** Per file: the copy whose write has not finished, and the last operation on the file (writes and removals keep their order). */
  readonly #pending = new Map<string, { copy: StoredCopy | undefined; last: Promise<void> }>();
  /** The first write that failed since the last flush. */
  #failed: unknown;
  /** File names in the folder (listed once, then kept by writes and removals). */
  #files: Promise<Set<string>> | undefined;

  constructor(hostSecret: Buffer, dataDir: string, readonly ueId: string) {
    this.#key = Buffer.from(hkdfSync('sha256', hostSecret, Buffer.from(ueId, 'utf8'), Buffer.from('mcx-ue at-rest v1'), 32));
    this.#dir = join(dataDir, 'ues', ueId.replace(/[^\w.-]/g, '_'));
  }

  /** The file of one document (name derived from system + selector; reveals neither). */
  fileOf(system: string, selector: string): string {
    return join(this.#dir, `${createHash('sha256').update(`${system}\n${selector}`).digest('hex').slice(0, 32)}.bin`);
  }

  #aad(system: string, selector: string): Buffer {
    return Buffer.from(`mcx-ue\n${this.ueId}\n${system}\n${selector}`, 'utf8');
  }

  #index(): Promise<Set<string>> {
    this.#files ??= readdir(this.#dir).then(
      (names) => new Set(names),
      () => new Set<string>(),
    );
    return this.#files;
  }

  /** Runs `op` on `file` after the operations queued on it before. */
  #queue(file: string, copy: StoredCopy | undefined, op: () => Promise<void>): Promise<void> {
    const before = this.#pending.get(file)?.last ?? Promise.resolve();
    const last: Promise<void> = before.then(op, op);
    const entry = { copy, last };
    this.#pending.set(file, entry);
    const settled = last.then(
      () => undefined,
      (err: unknown) => void (this.#failed ??= err),
    );
    const tracked = settled.finally(() => {
      this.#writes.delete(tracked);
      if (this.#pending.get(file) === entry) this.#pending.delete(file);
    });
    this.#writes.add(tracked);
    return last;
  }

  /**
   * Stores a copy: encrypted now, written to disk without blocking (the promise resolves when it is
   * there; `flush` waits for every write). Once the store is closed (its UE is stopping) a write is
   * not started and resolves without storing: our own choice, so that no copy lands in a folder
   * being removed.
   */
  write(copy: StoredCopy): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const file = this.fileOf(copy.system, copy.selector);
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(this.#aad(copy.system, copy.selector));
    const ct = Buffer.concat([cipher.update(JSON.stringify(copy), 'utf8'), cipher.final()]);
    const data = Buffer.concat([nonce, cipher.getAuthTag(), ct]);
    return this.#queue(file, copy, async () => {
      if (this.#closed) return;
      if (!this.#dirMade) {
        await mkdir(this.#dir, { recursive: true, mode: 0o700 });
        this.#dirMade = true;
      }
      const files = await this.#index();
      const tmp = `${file}.${nonce.toString('hex').slice(0, 8)}.tmp`;
      await writeFile(tmp, data, { mode: 0o600 });
      await rename(tmp, file);
      files.add(basename(file));
    });
  }

  /** Resolves when every write started before is on disk; rejects with the first write that failed since the last flush. */
  async flush(): Promise<void> {
    await Promise.all([...this.#writes]);
    const failed = this.#failed;
    this.#failed = undefined;
    if (failed !== undefined) throw failed;
  }

  async read(system: string, selector: string): Promise<ReadResult> {
    const file = this.fileOf(system, selector);
    const pending = this.#pending.get(file);
    if (pending) {
      if (pending.copy) return { ok: true, copy: pending.copy };
      return { ok: false, reason: 'missing' }; // being removed
    }
    if (!(await this.#index()).has(basename(file))) return { ok: false, reason: 'missing' };
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch {
      return { ok: false, reason: 'missing' };
    }
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
    const file = this.fileOf(system, selector);
    return this.#queue(file, undefined, async () => {
      await rm(file, { force: true });
      (await this.#index()).delete(basename(file));
    });
  }

  /** Starts no new write and resolves when the writes in flight have ended (stored or failed). */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#writes]);
  }

  /** Closes the store, then removes the UE's folder (retried: a file system may report it busy for a moment). */
  async destroy(): Promise<void> {
    await this.close();
    await rm(this.#dir, { recursive: true, force: true, maxRetries: 3 });
    this.#files = Promise.resolve(new Set());
  }
}
