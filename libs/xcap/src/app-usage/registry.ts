/** The application usage registry: one ApplicationUsage per AUID (RFC 4825 clause 5.1). */
import type { ApplicationUsage } from './application-usage.ts';

export class ApplicationUsageRegistry {
  readonly #usages = new Map<string, ApplicationUsage>();

  constructor(usages: Iterable<ApplicationUsage> = []) {
    for (const u of usages) this.register(u);
  }

  /** Adds a usage; an AUID can be registered once. */
  register(usage: ApplicationUsage): this {
    if (this.#usages.has(usage.auid)) throw new Error(`AUID ${usage.auid} is already registered`);
    this.#usages.set(usage.auid, usage);
    return this;
  }

  get(auid: string): ApplicationUsage | undefined {
    return this.#usages.get(auid);
  }

  list(): ApplicationUsage[] {
    return [...this.#usages.values()];
  }
}
