/**
 * The CMC's / GMC's local copies (TS 24.484 clause 6.3.13: "the CMC updates its local document
 * copies"): metadata in memory (selector, ETag = version, kind), bodies only in the protected
 * store (at-rest/), read back when needed (patching, get-with-version, the control API).
 */
import { parseUserProfile } from '@mcx/documents';
import type { ProtectedStore, StoredCopy } from '../at-rest/protected-store.ts';
import { kindOf, type DocumentMeta } from '../ue/session.ts';

export type CopyRead = { ok: true; copy: StoredCopy } | { ok: false; reason: 'missing' | 'tampered' };

export class LocalCopies {
  readonly #meta = new Map<string, DocumentMeta>();
  constructor(readonly store: ProtectedStore) {}

  static key(system: string, server: string, sel: string): string {
    return `${system}|${server}|${sel}`;
  }

  list(system?: string): DocumentMeta[] {
    const all = [...this.#meta.values()];
    return system === undefined ? all : all.filter((m) => m.system === system);
  }

  get(system: string, server: 'cms' | 'gms', sel: string): DocumentMeta | undefined {
    return this.#meta.get(LocalCopies.key(system, server, sel));
  }

  #storeKey(m: Pick<DocumentMeta, 'server' | 'sel'>): string {
    return `${m.server}:${m.sel}`;
  }

  /** Reads and authenticates a copy (AES-GCM): `tampered` when the file was modified. */
  read(m: DocumentMeta): Promise<CopyRead> {
    return this.store.read(m.system, this.#storeKey(m));
  }

  async save(system: string, server: 'cms' | 'gms', sel: string, etag: string, body: string, contentType: string, version?: number): Promise<DocumentMeta> {
    const meta: DocumentMeta = { system, server, sel, kind: kindOf(sel), etag, updatedAt: new Date().toISOString() };
    if (version !== undefined) meta.version = version;
    if (meta.kind === 'user-profile') {
      try {
        const p = parseUserProfile(body);
        meta.profile = { index: p.userProfileIndex, name: p.profileName?.[0]?.value, preSelected: p.preSelectedIndication !== undefined };
      } catch {
        /* kept without identity */
      }
    }
    const copy: StoredCopy = { system, selector: this.#storeKey(meta), etag, contentType, body };
    if (version !== undefined) copy.version = version;
    await this.store.write(copy);
    this.#meta.set(LocalCopies.key(system, server, sel), meta);
    return meta;
  }

  /**
   * A copy left on disk by an earlier run ("get with my version" at start, TS 23.280 10.1.4.3): registered
   * when it opens (authentic), else undefined (`tampered` is reported to `onTamper`).
   */
  async load(system: string, server: 'cms' | 'gms', sel: string, onTamper?: (sel: string) => void): Promise<DocumentMeta | undefined> {
    const r = await this.store.read(system, `${server}:${sel}`);
    if (!r.ok) {
      if (r.reason === 'tampered') onTamper?.(sel);
      return undefined;
    }
    const meta: DocumentMeta = { system, server, sel, kind: kindOf(sel), etag: r.copy.etag, updatedAt: new Date().toISOString() };
    if (r.copy.version !== undefined) meta.version = r.copy.version;
    if (meta.kind === 'user-profile') {
      try {
        const p = parseUserProfile(r.copy.body);
        meta.profile = { index: p.userProfileIndex, name: p.profileName?.[0]?.value, preSelected: p.preSelectedIndication !== undefined };
      } catch {
        /* kept without identity */
      }
    }
    this.#meta.set(LocalCopies.key(system, server, sel), meta);
    return meta;
  }

  async remove(m: Pick<DocumentMeta, 'system' | 'server' | 'sel'>): Promise<void> {
    this.#meta.delete(LocalCopies.key(m.system, m.server, m.sel));
    await this.store.remove(m.system, this.#storeKey(m));
  }

  /** Forgets the metadata of a system's copies (the files stay for a later get-with-version). */
  forgetSystem(system: string): void {
    for (const [k, m] of this.#meta) if (m.system === system) this.#meta.delete(k);
  }
}
