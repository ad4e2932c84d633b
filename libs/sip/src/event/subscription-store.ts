/**
 * Persistence of notifier-side subscriptions so that they survive a restart (architecture:
 * "everything a server must not lose ... is in the database"). A record is plain data
 * (JSON-serialisable when the application state is).
 */
import type { DialogState } from '../dialog.ts';

export interface SubscriptionRecord<S = unknown> {
  id: string;
  event: string;
  /** Event header parameters of the SUBSCRIBE (e.g. RFC 5875 diff-processing, RFC 6665 id). */
  eventParams: Record<string, string>;
  /** Identity the application authorised (e.g. the MCPTT ID from the access token). */
  subscriber: string;
  /** Application state returned by `authorize` (e.g. the subscribed XCAP URIs). */
  state: S;
  dialog: DialogState;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
}

export interface SubscriptionStore<S = unknown> {
  save(record: SubscriptionRecord<S>): Promise<void>;
  remove(id: string): Promise<void>;
  loadAll(): Promise<SubscriptionRecord<S>[]>;
}

/** Keeps records in memory, cloned on the way in and out as a database would. */
export class InMemorySubscriptionStore<S = unknown> implements SubscriptionStore<S> {
  private readonly records = new Map<string, SubscriptionRecord<S>>();

  async save(record: SubscriptionRecord<S>): Promise<void> {
    this.records.set(record.id, structuredClone(record));
  }

  async remove(id: string): Promise<void> {
    this.records.delete(id);
  }

  async loadAll(): Promise<SubscriptionRecord<S>[]> {
    return [...this.records.values()].map((r) => structuredClone(r));
  }

  get size(): number {
    return this.records.size;
  }
}
