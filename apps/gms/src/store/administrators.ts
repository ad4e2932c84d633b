/**
 * Group administrators: the MC users allowed to create and edit a group's document (TS 24.481
 * clause 6.3.2: the GMS authorizes group management operations; who may do them is operator
 * configuration). Configured by seeding and the admin API, keyed by MC group ID (so they may be
 * set before the group exists), kept in memory and persisted as one internal JSON document in
 * the same table (never served over XCAP: its AUID is not registered).
 */
import type { PrismaDocumentStore } from './prisma-document-store.ts';

export const ADMINISTRATORS_SELECTOR = 'org.mcx.gms.administrators/global/administrators.json';

export class GroupAdministrators {
  readonly #byGroup = new Map<string, Set<string>>();
  readonly #store: PrismaDocumentStore;

  private constructor(store: PrismaDocumentStore) {
    this.#store = store;
  }

  static load(store: PrismaDocumentStore): GroupAdministrators {
    const admins = new GroupAdministrators(store);
    admins.#read(store.peek(ADMINISTRATORS_SELECTOR)?.body);
    // Written through another instance of this GMS (replicas, issue #17): read it again.
    store.onChange((c) => {
      if (c.selector === ADMINISTRATORS_SELECTOR) admins.#read(c.next?.body);
    });
    return admins;
  }

  #read(body: string | undefined): void {
    this.#byGroup.clear();
    if (body === undefined) return;
    const data = JSON.parse(body) as Record<string, string[]>;
    for (const [group, list] of Object.entries(data)) this.#byGroup.set(group, new Set(list));
  }

  isAdministrator(mcGroupId: string, mcpttId: string): boolean {
    return this.#byGroup.get(mcGroupId)?.has(mcpttId) ?? false;
  }

  of(mcGroupId: string): string[] {
    return [...(this.#byGroup.get(mcGroupId) ?? [])].sort();
  }

  /** Replaces the administrators of a group (an empty list removes the entry). */
  async set(mcGroupId: string, administrators: readonly string[]): Promise<void> {
    if (administrators.length === 0) this.#byGroup.delete(mcGroupId);
    else this.#byGroup.set(mcGroupId, new Set(administrators));
    await this.#persist();
  }

  /** Adds administrators, keeping the existing ones. */
  async add(mcGroupId: string, administrators: readonly string[]): Promise<void> {
    const set = this.#byGroup.get(mcGroupId) ?? new Set<string>();
    const before = set.size;
    for (const a of administrators) set.add(a);
    if (set.size === before && this.#byGroup.has(mcGroupId)) return;
    if (set.size === 0) return;
    this.#byGroup.set(mcGroupId, set);
    await this.#persist();
  }

  async #persist(): Promise<void> {
    const data = Object.fromEntries([...this.#byGroup].sort(([a], [b]) => a.localeCompare(b)).map(([g, s]) => [g, [...s].sort()]));
    await this.#store.put(ADMINISTRATORS_SELECTOR, JSON.stringify(data), { contentType: 'application/json' });
  }
}
