/**
 * The MCS registration table: who is service-authorized here, at which contact, until when.
 * Soft state (TS 24.379 clause 7: re-established by the next REGISTER/PUBLISH), kept in memory;
 * expiry runs through the SIP endpoint's single timer heap.
 */
import type { Scheduler, TimerHandle } from '@mcx/sip';

export interface Registration {
  mcpttId: string;
  contact: string;
  /** `service` = service authorization (clause 7), `migration` = migration service authorization (clause 7A). */
  kind: 'service' | 'migration';
  /** The user's primary MC system (this one for `service`). */
  homeSystem: string;
  /** The user's MCPTT ID in its primary system (migration only; `mcpttId` is the one this system assigned). */
  primaryMcpttId?: string;
  /** The user profile selected for access (migration only). */
  userProfileIndex?: number;
  expiresAt: Date;
  registeredAt: Date;
}

export class RegistrationTable {
  readonly #rows = new Map<string, { reg: Registration; timer: TimerHandle }>();
  constructor(private readonly scheduler: Scheduler) {}

  #key(mcpttId: string, contact: string): string {
    return `${mcpttId}\n${contact}`;
  }

  upsert(reg: Registration): void {
    const key = this.#key(reg.mcpttId, reg.contact);
    this.#rows.get(key)?.timer.cancel();
    const timer = this.scheduler.schedule(reg.expiresAt.getTime() - Date.now(), () => {
      if (this.#rows.get(key)?.reg === reg) this.#rows.delete(key);
    });
    this.#rows.set(key, { reg, timer });
  }

  remove(mcpttId: string, contact: string): boolean {
    const key = this.#key(mcpttId, contact);
    const row = this.#rows.get(key);
    row?.timer.cancel();
    return this.#rows.delete(key);
  }

  list(): Registration[] {
    return [...this.#rows.values()].map((r) => r.reg);
  }

  find(mcpttId: string): Registration[] {
    return this.list().filter((r) => r.mcpttId === mcpttId);
  }

  get size(): number {
    return this.#rows.size;
  }
}
