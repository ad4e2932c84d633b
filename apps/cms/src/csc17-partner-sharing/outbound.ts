/**
 * CSC-17, primary side (TS 23.280 clause 7.5.2.17: CMSs of different MC systems "share user
 * configuration information for MC service users who are permitted to migrate"; clause 10.1.4.1:
 * "the appropriate MC service user profile for migration for the relevant partner MC system will
 * be provided to the partner MC system").
 *
 * A share is recorded first (a `MigrationAuthorization` row with server `<server>><partner>`,
 * status `pending` / `authorized` / `revoke-pending` / `revoked`), then pushed to the partner CMS
 * with the partner's admin token; a push that fails stays pending and is retried (timer, or
 * `shareMigrations()` once every system is up). The profile shared is the document
 * `users/<id>/migration/<partner>/mcptt-user-profile-<i>.xml`; an admin edit of it is re-shared.
 */
import type { ChangeFeed, Database } from '@mcx/db';

/** The change-feed topic of this system's shares (the kept list is read again on any change). */
const SHARES_TOPIC = 'shares';
import type { Logger } from 'pino';
import type { PartnerConfig } from '../config/config.ts';
import type { CmsDocumentStore, DocumentChangeEvent } from '../store/document-store.ts';

export interface SharePush {
  homeSystemId: string;
  partnerSystemId: string;
  accessProfiles: number[];
  userProfile: { index: number; body: string };
}

export interface ShareStatus {
  mcpttId: string;
  partnerSystemId: string;
  status: string;
  profileSelector: string | null;
  accessProfiles: number[];
}

/** The kept list of shares: rows, their JSON, and the rows per MCPTT ID. */
interface Listing {
  rows: ShareStatus[];
  json: string;
  byUser: Map<string, ShareStatus[]>;
}

export interface ShareSummary {
  pushed: number;
  pending: number;
  errors: string[];
}

export class OutboundSharing {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<ShareSummary> | undefined;
  #unlisten: () => void;
  #unsubscribe: () => void;

  constructor(
    private readonly db: Database,
    private readonly o: { systemId: string; serverName: string; partners: () => PartnerConfig[]; retryMs: number; store: CmsDocumentStore; logger: Logger; feed?: ChangeFeed },
  ) {
    this.#unlisten = o.store.onChange((e) => this.#onChange(e));
    // A share changed through another instance of this CMS (replicas, issue #17): the kept list is stale.
    const forget = () => this.#forget();
    this.#unsubscribe = o.feed?.subscribe(SHARES_TOPIC, { change: forget, resync: forget }) ?? (() => undefined);
  }

  #server(partner: string): string {
    return `${this.o.serverName}>${partner}`;
  }

  /** Records (or re-records) that `mcpttId` may migrate to `partner` using the profile at `profileSelector`. */
  async record(mcpttId: string, partner: string, profileSelector: string, accessProfiles: number[], options: { onlyIfAbsent?: boolean } = {}): Promise<void> {
    if (!options.onlyIfAbsent && !this.o.partners().some((p) => p.systemId === partner)) throw new Error(`unknown partner MC system ${partner}`);
    const server = this.#server(partner);
    const data = { profileSelector, accessProfiles: JSON.stringify(accessProfiles), status: 'pending' };
    const where = { server_mcpttId_homeSystemId: { server, mcpttId, homeSystemId: this.o.systemId } };
    if (options.onlyIfAbsent && (await this.db.prisma.migrationAuthorization.findUnique({ where }))) return;
    await this.db.prisma.migrationAuthorization.upsert({
      where,
      create: { server, mcpttId, homeSystemId: this.o.systemId, partnerSystemId: partner, ...data },
      update: { ...data, version: { increment: 1 } },
    });
    this.#changed();
  }

  /** Marks a share for revocation (pushed as DELETE to the partner). False when there was none. */
  async revoke(mcpttId: string, partner: string): Promise<boolean> {
    const { count } = await this.db.prisma.migrationAuthorization.updateMany({
      where: { server: this.#server(partner), mcpttId, homeSystemId: this.o.systemId, status: { in: ['pending', 'authorized'] } },
      data: { status: 'revoke-pending', version: { increment: 1 } },
    });
    if (count > 0) this.#changed();
    return count > 0;
  }

  /**
   * Every share of this system, from memory between changes: read from the database after a
   * change of a share made here, then kept with its JSON (`GET /admin/migrations`, which the
   * primary MCS reads on every migration). A share changed through another instance of this CMS
   * (replicas) forgets the kept list here too (the change feed's `shares` topic).
   */
  async list(): Promise<ShareStatus[]> {
    return [...(await this.#listed()).rows];
  }

  /** `list()` serialized as JSON (kept between changes). */
  async listJson(): Promise<string> {
    return (await this.#listed()).json;
  }

  /**
   * The shares of one user (`GET /admin/migrations?mcpttId=`), from the kept list's index: the primary MCS asks for
   * one user per migration, and the whole list grows with the users.
   */
  async sharesOf(mcpttId: string): Promise<ShareStatus[]> {
    return [...((await this.#listed()).byUser.get(mcpttId) ?? [])];
  }

  #listing: Promise<Listing> | undefined;
  #generation = 0;

  /** Forgets the kept list after a committed write of a share, here and in the other instances. */
  #changed(): void {
    this.#forget();
    this.o.feed?.publish(SHARES_TOPIC, '*').catch((err: unknown) => this.o.logger.warn({ err }, 'csc17: share change not published to the other instances'));
  }

  #forget(): void {
    this.#generation++;
    this.#listing = undefined;
  }

  #listed(): Promise<Listing> {
    if (this.#listing) return this.#listing;
    const generation = this.#generation;
    const listing = this.#readList().then((rows) => {
      const byUser = new Map<string, ShareStatus[]>();
      for (const r of rows) byUser.set(r.mcpttId, [...(byUser.get(r.mcpttId) ?? []), r]);
      return { rows, json: JSON.stringify(rows), byUser };
    });
    // Kept only if no write committed meanwhile (else the next call reads again).
    this.#listing = listing;
    listing.then(
      () => {
        if (this.#generation !== generation && this.#listing === listing) this.#listing = undefined;
      },
      () => {
        if (this.#listing === listing) this.#listing = undefined;
      },
    );
    return listing;
  }

  async #readList(): Promise<ShareStatus[]> {
    const rows = await this.db.prisma.migrationAuthorization.findMany({
      where: { homeSystemId: this.o.systemId, server: { startsWith: `${this.o.serverName}>` } },
      orderBy: { mcpttId: 'asc' },
    });
    return rows.map((r) => ({
      mcpttId: r.mcpttId,
      partnerSystemId: r.partnerSystemId,
      status: r.status,
      profileSelector: r.profileSelector,
      accessProfiles: JSON.parse(r.accessProfiles) as number[],
    }));
  }

  /** Pushes every pending share and revocation now (concurrent calls share one run). */
  shareMigrations(): Promise<ShareSummary> {
    this.#running ??= this.#pushAll().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Starts the background retry while something is pending. */
  scheduleRetry(): void {
    if (this.o.retryMs <= 0 || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.shareMigrations().then((s) => {
        if (s.pending > 0) this.scheduleRetry();
      });
    }, this.o.retryMs);
    this.#timer.unref();
  }

  close(): void {
    this.#unlisten();
    this.#unsubscribe();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #pushAll(): Promise<ShareSummary> {
    const rows = await this.db.prisma.migrationAuthorization.findMany({
      where: { homeSystemId: this.o.systemId, server: { startsWith: `${this.o.serverName}>` }, status: { in: ['pending', 'revoke-pending'] } },
    });
    const summary: ShareSummary = { pushed: 0, pending: 0, errors: [] };
    for (const r of rows) {
      const partner = this.o.partners().find((p) => p.systemId === r.partnerSystemId);
      try {
        if (!partner) throw new Error(`partner ${r.partnerSystemId} is not configured`);
        const url = `${partner.cmsUrl.replace(/\/$/, '')}/csc17/migrations/${encodeURIComponent(r.mcpttId)}`;
        if (r.status === 'pending') {
          const doc = r.profileSelector ? this.o.store.peek(r.profileSelector) : undefined;
          if (!doc) throw new Error(`migration profile ${r.profileSelector} does not exist`);
          const index = Number(/mcptt-user-profile-(\d+)\.xml$/.exec(doc.selector)?.[1] ?? NaN);
          const body: SharePush = {
            homeSystemId: this.o.systemId,
            partnerSystemId: r.partnerSystemId,
            accessProfiles: JSON.parse(r.accessProfiles) as number[],
            userProfile: { index, body: doc.body },
          };
          await call(url, 'PUT', partner.adminToken, body);
          await this.#setStatus(r.id, r.version, 'authorized');
        } else {
          await call(`${url}?home=${encodeURIComponent(this.o.systemId)}`, 'DELETE', partner.adminToken);
          await this.#setStatus(r.id, r.version, 'revoked');
        }
        summary.pushed++;
      } catch (err) {
        summary.pending++;
        summary.errors.push(`${r.mcpttId} -> ${r.partnerSystemId}: ${(err as Error).message}`);
        this.o.logger.warn({ err, mcpttId: r.mcpttId, partner: r.partnerSystemId }, 'csc17: share not accepted yet; will retry');
      }
    }
    if (summary.pending > 0) this.scheduleRetry();
    return summary;
  }

  async #setStatus(id: string, version: number, status: string): Promise<void> {
    // Only if nobody re-recorded the row meanwhile (then it is pushed again on the next run).
    const { count } = await this.db.prisma.migrationAuthorization.updateMany({ where: { id, version }, data: { status, version: version + 1 } });
    if (count > 0) this.#changed();
  }

  /** An admin edit of a shared migration profile is shared again (CSC-17 keeps the partner current). */
  #onChange(e: DocumentChangeEvent): void {
    if (!e.next || e.cause === 'seed' || e.cause === 'replica' || !e.document.path.includes('migration')) return;
    const partner = e.document.path[1];
    if (!partner || !e.document.xui) return;
    void this.db.prisma.migrationAuthorization
      .updateMany({
        where: { server: this.#server(partner), mcpttId: e.document.xui, homeSystemId: this.o.systemId, status: 'authorized', profileSelector: e.selector },
        data: { status: 'pending', version: { increment: 1 } },
      })
      .then(({ count }) => {
        if (count === 0) return undefined;
        this.#changed();
        return this.shareMigrations();
      })
      .catch((err: unknown) => this.o.logger.error({ err }, 'csc17: re-share failed'));
  }
}

async function call(url: string, method: string, token: string, body?: unknown): Promise<void> {
  const res = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok && !(method === 'DELETE' && res.status === 404)) throw new Error(`HTTP ${res.status} ${text.slice(0, 200)}`);
}
