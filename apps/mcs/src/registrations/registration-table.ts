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

type Row = { reg: Registration; timer: TimerHandle };

export class RegistrationTable {
  /** MCPTT ID → contact → row: a REGISTER looks up its user's bindings without a scan of every user's (issue #14). */
  readonly #byUser = new Map<string, Map<string, Row>>();
  #size = 0;
  constructor(private readonly scheduler: Scheduler) {}

  upsert(reg: Registration): void {
    let rows = this.#byUser.get(reg.mcpttId);
    if (!rows) this.#byUser.set(reg.mcpttId, (rows = new Map()));
    const previous = rows.get(reg.contact);
    if (previous) previous.timer.cancel();
    else this.#size += 1;
    const timer = this.scheduler.schedule(reg.expiresAt.getTime() - Date.now(), () => {
      if (this.#byUser.get(reg.mcpttId)?.get(reg.contact)?.reg === reg) this.remove(reg.mcpttId, reg.contact);
    });
    rows.set(reg.contact, { reg, timer });
  }

  remove(mcpttId: string, contact: string): boolean {
    const rows = this.#byUser.get(mcpttId);
    const row = rows?.get(contact);
    if (!rows || !row) return false;
    row.timer.cancel();
    rows.delete(contact);
    if (rows.size === 0) this.#byUser.delete(mcpttId);
    this.#size -= 1;
    return true;
  }

  list(): Registration[] {
    const out: Registration[] = [];
    for (const rows of this.#byUser.values()) for (const row of rows.values()) out.push(row.reg);
    return out;
  }

  /** The bindings of one user (a copy: the caller may remove while iterating). */
  find(mcpttId: string): Registration[] {
    const rows = this.#byUser.get(mcpttId);
    return rows ? [...rows.values()].map((r) => r.reg) : [];
  }

  get size(): number {
    return this.#size;
  }
}
