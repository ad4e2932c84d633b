/**
 * The CMC's / GMC's local copies (TS 24.484 clause 6.3.13: "the CMC updates its local document
 * copies"): metadata in memory (selector, ETag = version, kind), bodies only in the protected
 * store (at-rest/), read back when needed (patching, get-with-version, the control API). A save
 * does not wait for the disk (at-rest/protected-store.ts); `flush()` does, before the UE reports
 * what depends on the copies.
 */
import { parseUserProfile, partnerMcSystemsOf, type PartnerMcSystem } from '@mcx/documents';
import type { ProtectedStore, StoredCopy } from '../at-rest/protected-store.ts';
import { kindOf, type DocumentMeta } from '../ue/session.ts';

/**
 * What the UE reads of a user profile once it is saved: its identity (index, name, pre-selected,
 * TS 24.484 clause 8.3.2) and its partner MC systems (TS 24.484 clause 4.2.2.1.2.1, for the
 * migration's partner selection). Kept per version instead of the parsed document (issue #14,
 * memory: the parsed profile with its groups, affiliations and name lists, and the XML text its
 * strings were cut from, was ~1.4 KB per profile more, ~8 MB of the UE host at 1,000 UEs).
 */
export interface ProfileSummary {
  index: number;
  name: string | undefined;
  preSelected: boolean;
  partners: PartnerMcSystem[];
}

export type CopyRead = { ok: true; copy: StoredCopy } | { ok: false; reason: 'missing' | 'tampered' };

export class LocalCopies {
  readonly #meta = new Map<string, DocumentMeta>();
  /** The user profiles' summaries made when they were saved or loaded, by key, with the ETag of that version. */
  readonly #profiles = new Map<string, { etag: string; profile: ProfileSummary }>();
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
      const p = this.#parse(LocalCopies.key(system, server, sel), etag, body);
      if (p) meta.profile = { index: p.index, name: p.name, preSelected: p.preSelected };
    }
    const copy: StoredCopy = { system, selector: this.#storeKey(meta), etag, contentType, body };
    if (version !== undefined) copy.version = version;
    // Not awaited: the store answers reads of the copy until it is on disk; `flush` waits for it.
    void this.store.write(copy).catch(() => undefined);
    this.#meta.set(LocalCopies.key(system, server, sel), meta);
    return meta;
  }

  /** Resolves when every copy saved so far is on disk; rejects with the first write that failed. */
  flush(): Promise<void> {
    return this.store.flush();
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
      const p = this.#parse(LocalCopies.key(system, server, sel), r.copy.etag, r.copy.body);
      if (p) meta.profile = { index: p.index, name: p.name, preSelected: p.preSelected };
    }
    this.#meta.set(LocalCopies.key(system, server, sel), meta);
    return meta;
  }

  /** Parses a user profile (undefined when it does not parse: kept without identity) and keeps its summary for its version. */
  #parse(key: string, etag: string, body: string): ProfileSummary | undefined {
    try {
      const p = parseUserProfile(body);
      const name = p.profileName?.[0]?.value;
      const profile: ProfileSummary = { index: p.userProfileIndex, name, preSelected: p.preSelectedIndication !== undefined, partners: partnerMcSystemsOf(p) };
      this.#profiles.set(key, { etag, profile });
      return profile;
    } catch {
      this.#profiles.delete(key);
      return undefined;
    }
  }

  /**
   * The summary of the user profile `copy` (read from the store, so authenticated): parsed once per
   * version — the summary of its save is reused when the copy read is that version (our choice: no
   * re-parse of an unchanged profile at each migration).
   */
  profileSummary(m: DocumentMeta, copy: StoredCopy): ProfileSummary | undefined {
    const key = LocalCopies.key(m.system, m.server, m.sel);
    const hit = this.#profiles.get(key);
    if (hit && hit.etag === copy.etag) return hit.profile;
    return this.#parse(key, copy.etag, copy.body);
  }

  async remove(m: Pick<DocumentMeta, 'system' | 'server' | 'sel'>): Promise<void> {
    this.#meta.delete(LocalCopies.key(m.system, m.server, m.sel));
    this.#profiles.delete(LocalCopies.key(m.system, m.server, m.sel));
    await this.store.remove(m.system, this.#storeKey(m));
  }

  /** Forgets the metadata of a system's copies (the files stay for a later get-with-version). */
  forgetSystem(system: string): void {
    for (const [k, m] of this.#meta) if (m.system === system) this.#meta.delete(k);
    for (const k of this.#profiles.keys()) if (k.startsWith(`${system}|`)) this.#profiles.delete(k);
  }
}
