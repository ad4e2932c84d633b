/**
 * One simulated MCS UE: an explicit state machine (states.ts) whose transitions are the steps of
 * online configuration (TS 24.484 clause 4.2.2.1.1), migration to a partner MC system (clause
 * 4.2.2.1.2, seed 000) and the return home. Procedures of one UE run one at a time (a queue);
 * a registered-PLMN change enqueues a reconciliation. Every timer goes through the host's one
 * scheduler; every message goes through the host's one SIP endpoint and the tapped fetch.
 */
import { parseUserProfile, partnerMcSystemsOf, plmnsOf } from '@mcx/documents';
import type { IncomingNotify, TerminationInfo, TimerHandle } from '@mcx/sip';
import { ProtectedStore } from '../at-rest/protected-store.ts';
import { authenticatePartner } from '../migration/authenticate-partner.ts';
import { authorizeMigrationService } from '../migration/authorize-migration-service.ts';
import type { PartnerCandidate, ProfileView } from '../migration/policies.ts';
import { login, refresh } from '../online-configuration/authenticate.ts';
import { register } from '../online-configuration/authorize-service.ts';
import { fetchUeInitConfig } from '../online-configuration/fetch-ue-init-config.ts';
import { LocalCopies } from '../online-configuration/local-copies.ts';
import { cmsDocumentUris, GMS_GROUPS_COLLECTION, subscribeDocuments } from '../online-configuration/subscribe.ts';
import { applyNotify, fetchDocument } from '../online-configuration/synchronize.ts';
import { runAsUe } from '../tap/http-tap.ts';
import { redactToken } from '../tap/redact.ts';
import { classify } from './classify.ts';
import type { HostServices } from './host-services.ts';
import { newSession, type DocumentMeta, type SystemSession } from './session.ts';
import { StepError, type StepName, type UeState } from './states.ts';
import { uploadDocument, synchronizeAll, type SyncResult, type UploadResult } from '../versions/versions.ts';

export interface UeUser {
  username: string;
  password: string;
  home: string;
}

export interface UeSnapshot {
  id: string;
  user: string;
  mcpttId: string | null;
  state: UeState;
  system: string | null;
  homeSystem: string;
  plmn: string;
  migrated: boolean;
  activeProfile: { system: string; index: number; name: string | null; selector: string; etag: string } | null;
  /** Migration only: the primary-configured profile used for access (TS 24.484 4.2.2.1.2 NOTE 1). */
  accessProfile: { index: number; selector: string } | null;
  documents: Array<{ n: number; system: string; server: 'cms' | 'gms'; selector: string; etag: string; kind: string; updatedAt: string; active: boolean }>;
  /** Per system: the access token (redacted). One token covers CMS, GMS and MCS of a system (aud = all three). */
  tokens: Record<string, { access: string; cms: string; gms: string; mcs: string; expiresAt: string }>;
  lastEvent: { at: string; text: string } | null;
  error: { step: StepName; reason: string; at: string } | null;
  /** The last state transitions, oldest first (at most 30). */
  history: Array<{ at: string; state: UeState; text?: string }>;
  /** Durations of the last procedures (ms), for scenarios and benchmarks. */
  timings: { configuredMs?: number; migrationMs?: number; plmnChangedAt?: string; configuredAt?: string };
}

export class Ue {
  state: UeState = 'NONE';
  plmn: string;
  home: SystemSession | undefined;
  current: SystemSession | undefined;
  readonly copies: LocalCopies;
  lastEvent: { at: string; text: string } | null = null;
  error: { step: StepName; reason: string; at: string } | null = null;
  timings: UeSnapshot['timings'] = {};
  /** The last state transitions (bounded), oldest first. */
  readonly history: Array<{ at: string; state: UeState; text?: string }> = [];
  #queue: Promise<void> = Promise.resolve();
  #stopped = false;
  #sleep: { timer: TimerHandle; resolve: () => void } | undefined;
  #plmnChangedAt = 0;
  readonly #waiters = new Set<() => void>();

  constructor(
    readonly host: HostServices,
    readonly id: string,
    readonly user: UeUser,
    plmn: string | undefined,
  ) {
    this.plmn = plmn ?? '';
    this.copies = new LocalCopies(new ProtectedStore(host.secret, host.config.dataDir, id));
  }

  // ---------------------------------------------------------------- observation

  get stopped(): boolean {
    return this.#stopped;
  }

  snapshot(): UeSnapshot {
    const active = this.activeProfile();
    const docs = this.copies.list();
    const cur = this.current?.systemId;
    docs.sort((a, b) => Number(b.system === cur) - Number(a.system === cur) || a.system.localeCompare(b.system) || a.sel.localeCompare(b.sel));
    const tokens: UeSnapshot['tokens'] = {};
    for (const s of [this.home, this.current]) {
      if (!s?.tokens) continue;
      const access = redactToken(s.tokens.accessToken)!;
      tokens[s.systemId] = { access, cms: access, gms: access, mcs: access, expiresAt: new Date(s.tokens.expiresAt).toISOString() };
    }
    return {
      id: this.id,
      user: this.user.username,
      mcpttId: this.home?.mcpttId ?? null,
      state: this.state,
      system: this.current?.systemId ?? null,
      homeSystem: this.user.home,
      plmn: this.plmn,
      migrated: this.current?.role === 'partner',
      activeProfile: active ? { system: active.system, index: active.profile!.index, name: active.profile!.name ?? null, selector: active.sel, etag: active.etag } : null,
      accessProfile: this.current?.role === 'partner' && this.current.accessProfile ? { index: this.current.accessProfile.index, selector: this.current.accessProfile.sel } : null,
      documents: docs.map((d, n) => ({ n, system: d.system, server: d.server, selector: d.sel, etag: d.etag, kind: d.kind, updatedAt: d.updatedAt, active: d.system === cur })),
      tokens,
      lastEvent: this.lastEvent,
      error: this.error,
      history: this.history.slice(-30),
      timings: this.timings,
    };
  }

  /** The n-th document of the snapshot's list. */
  documentAt(n: number): DocumentMeta | undefined {
    const cur = this.current?.systemId;
    const docs = this.copies.list();
    docs.sort((a, b) => Number(b.system === cur) - Number(a.system === cur) || a.system.localeCompare(b.system) || a.sel.localeCompare(b.sel));
    return docs[n];
  }

  /** The active user profile in the current system (pre-selected first, then Default-user-profile, then lowest index; seed 001: one active per device). */
  activeProfile(): DocumentMeta | undefined {
    const s = this.current;
    if (!s) return undefined;
    const profiles = this.copies.list(s.systemId).filter((d) => d.kind === 'user-profile' && d.profile);
    const dflt = s.initConfig.defaultUserProfile?.userProfileIndex;
    return profiles.sort(
      (a, b) =>
        Number(b.profile!.preSelected) - Number(a.profile!.preSelected) ||
        Number(b.profile!.index === dflt) - Number(a.profile!.index === dflt) ||
        a.profile!.index - b.profile!.index,
    )[0];
  }

  /** Resolves when `predicate` holds (checked on every change). */
  waitFor(predicate: (ue: Ue) => boolean): Promise<void> {
    if (predicate(this)) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (predicate(this)) {
          this.#waiters.delete(check);
          resolve();
        }
      };
      this.#waiters.add(check);
    });
  }

  #changed(): void {
    this.host.changed(this.id);
    for (const w of [...this.#waiters]) w();
  }

  #setState(state: UeState, text?: string): void {
    this.state = state;
    this.history.push({ at: new Date().toISOString(), state, ...(text ? { text } : {}) });
    if (this.history.length > 100) this.history.splice(0, this.history.length - 100);
    if (text) this.#event(text, false);
    this.host.logger.debug({ ue: this.id, state }, text ?? 'state');
    this.#changed();
  }

  #event(text: string, notify = true): void {
    this.lastEvent = { at: new Date().toISOString(), text };
    this.host.logger.info({ ue: this.id, state: this.state }, text);
    if (notify) this.#changed();
  }

  #http<T>(fn: () => Promise<T>): Promise<T> {
    return runAsUe({ ue: this.id, log: this.host.log, lanes: this.host.lanes }, fn);
  }

  #enqueue(fn: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(() => (this.#stopped ? undefined : this.#http(fn)));
    this.#queue = run.catch((err: unknown) => this.host.logger.error({ err, ue: this.id }, 'ue procedure failed'));
    return this.#queue;
  }

  // ---------------------------------------------------------------- commands

  /** Boots the UE: online configuration in its primary MC system, then follows the registered PLMN. */
  start(): Promise<void> {
    return this.#enqueue(async () => {
      await this.#configureHome();
      if (this.current) await this.#reconcile();
    });
  }

  /** The registered PLMN changed (UE command, console, scenario): partner selection / return home. */
  setPlmn(plmn: string): Promise<void> {
    this.plmn = plmn;
    this.#plmnChangedAt = Date.now();
    this.timings.plmnChangedAt = new Date(this.#plmnChangedAt).toISOString();
    delete this.timings.migrationMs;
    this.#event(`registered PLMN changed to ${plmn}`);
    return this.#enqueue(() => this.#reconcile());
  }

  /** Get-with-version of every copy of the current system (seed 001). */
  sync(): Promise<SyncResult[]> {
    let out: SyncResult[] = [];
    return this.#enqueue(async () => {
      if (!this.current) throw new StepError('fetch', 'not configured', false);
      out = await synchronizeAll(this, this.current, (t) => this.#event(t));
      this.#changed();
    }).then(() => out);
  }

  /** Upload of user data (seed 001): conditional PUT of a document (default: the active profile). */
  upload(selector?: string, xml?: string): Promise<UploadResult> {
    let out: UploadResult = { status: 0, etag: null, selector: selector ?? '' };
    return this.#enqueue(async () => {
      if (!this.current) throw new StepError('fetch', 'not configured', false);
      out = await uploadDocument(this, this.current, selector ?? this.activeProfile()?.sel, xml, (t) => this.#event(t));
      this.#changed();
    }).then(() => out);
  }

  async stop(options: { keepCopies?: boolean } = {}): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#sleep?.timer.cancel();
    this.#sleep?.resolve();
    await this.#http(async () => {
      const sessions = new Set([this.current, this.home].filter((s): s is SystemSession => s !== undefined));
      await Promise.all([...sessions].map((s) => this.#teardown(s)));
    });
    this.state = 'STOPPED';
    this.#changed();
    if (!options.keepCopies) await this.copies.store.destroy();
  }

  // ---------------------------------------------------------------- procedures

  #homePlmns(): string[] {
    return this.home ? plmnsOf(this.home.initConfig) : [];
  }

  async #reconcile(): Promise<void> {
    if (!this.current || !this.home) {
      await this.#configureHome();
      if (!this.current) return;
    }
    if (!this.plmn || this.#homePlmns().includes(this.plmn)) {
      if (this.current!.role === 'partner') await this.#returnHome();
      return;
    }
    if (this.current!.role === 'partner' && plmnsOf(this.current!.initConfig).includes(this.plmn)) return;
    await this.#migrate();
  }

  /** Transient failures are retried with capped exponential backoff and jitter (through the scheduler). */
  async #withRetry(what: string, fn: () => Promise<void>, cleanup: () => Promise<void>): Promise<void> {
    const { baseMs, capMs, attempts } = this.host.config.retry;
    for (let attempt = 0; ; attempt += 1) {
      try {
        await fn();
        return;
      } catch (err) {
        const e = err instanceof StepError ? err : classify('fetch', err);
        await cleanup();
        if (!e.transient || attempt >= attempts || this.#stopped) throw e;
        const delay = Math.min(capMs, baseMs * 2 ** attempt) * (0.5 + Math.random() / 2);
        this.error = { step: e.step, reason: e.reason, at: new Date().toISOString() };
        this.#setState('RETRY_WAIT', `${what}: ${e.step} failed (${e.reason}); retry ${attempt + 1}/${attempts} in ${Math.round(delay)} ms`);
        await new Promise<void>((resolve) => {
          const timer = this.host.endpoint.scheduler.schedule(delay, resolve);
          this.#sleep = { timer, resolve };
        });
        this.#sleep = undefined;
        if (this.#stopped) throw e;
      }
    }
  }

  #fail(state: 'FAILED' | 'MIGRATION_FAILED', err: unknown): void {
    const e = err instanceof StepError ? err : classify('fetch', err);
    this.error = { step: e.step, reason: e.reason, at: new Date().toISOString() };
    this.#setState(state, `${e.step} failed: ${e.reason}`);
  }

  /** Online configuration in the primary MC system (TS 24.484 clause 4.2.2.1.1). */
  #configureHome(): Promise<void> {
    return this.host.limit(() => this.#configureHomeNow());
  }

  async #configureHomeNow(): Promise<void> {
    if (this.#stopped) return;
    const started = Date.now();
    const returning = this.current?.role === 'partner';
    const system = this.host.system(this.user.home);
    if (!system) {
      this.#fail('FAILED', new StepError('ue-init-config', `unknown home system ${this.user.home}`, false));
      return;
    }
    let session: SystemSession | undefined;
    try {
      await this.#withRetry(
        returning ? 'return home' : 'online configuration',
        async () => {
          // 1. UE initial configuration (kept from an earlier boot when we have it).
          session = this.home;
          if (!session) {
            const init = await fetchUeInitConfig(system.cmsXcapRoot, this.id);
            session = newSession(this.user.home, 'home', init.doc, system.cmsXcapRoot);
            this.home = session;
            if (!this.plmn) this.plmn = plmnsOf(init.doc)[0] ?? '';
            this.#setState('WITH_UE_INIT_CONFIG', `UE initial configuration from ${init.sel}`);
          }
          session.closed = false;
          // 2. Authentication: refresh when we hold a refresh token, else code + PKCE login.
          if (!(await refresh(this.host, session))) await login(this.host, session, this.user.username, this.user.password);
          this.#setState('AUTHENTICATED', `authenticated at ${session.idmsIssuer} as ${session.mcpttId}`);
          // 3. Service authorization (REGISTER with mcptt-info).
          await register(this.host, this.id, session, 'service-authorization');
          this.#setState('SERVICE_AUTHORIZED', `service authorization at ${session.mcsPsi}`);
          // 4. Subscriptions (CMS subscription proxy + GMS) and retrieval of what the NOTIFYs list.
          await this.#subscribe(session, 'subscribe-cms', 'subscribe-gms');
          this.#setState('SUBSCRIBED', `subscribed at ${session.cmsPsi} and ${session.gmsPsi}`);
        },
        async () => {
          if (session && session !== this.current) await this.#teardown(session);
        },
      );
    } catch (err) {
      if (returning) this.#fail('MIGRATION_FAILED', err);
      else {
        this.current = undefined;
        this.#fail('FAILED', err);
      }
      return;
    }
    const previous = this.current;
    this.current = session!;
    this.error = null;
    if (previous && previous !== session) {
      await this.#teardown(previous);
      this.copies.forgetSystem(previous.systemId);
    }
    this.#scheduleRenewal(session!);
    this.timings.configuredMs = Date.now() - started;
    this.timings.configuredAt = new Date().toISOString();
    if (returning) this.timings.migrationMs = Date.now() - (this.#plmnChangedAt || started);
    this.#setState('STABLE', `configured in ${session!.systemId}${returning ? ' (back home)' : ''}; active profile ${this.activeProfile()?.profile?.index ?? 'none'}`);
  }

  /** Migration to a partner MC system (TS 24.484 clause 4.2.2.1.2.1). */
  #migrate(): Promise<void> {
    return this.host.limit(() => this.#migrateNow());
  }

  async #migrateNow(): Promise<void> {
    if (this.#stopped) return;
    const home = this.home!;
    const started = this.#plmnChangedAt || Date.now();
    // Partner selection (clause 4.2.2.1.2.2) and profile selection (clause 4.2.2.1.2.3).
    let partner: PartnerCandidate;
    let profile: ProfileView;
    try {
      const profiles = await this.#primaryProfiles();
      const p = this.host.partnerPolicy.select({ plmn: this.plmn, profiles, homeSystem: home.systemId });
      if ('none' in p) throw new StepError('select-partner', p.reason, false);
      partner = p.choice;
      this.#setState('PARTNER_SELECTED', `partner ${partner.systemId} selected (${this.host.partnerPolicy.name}): ${p.reason}`);
      const q = this.host.profilePolicy.select({ partner, profiles });
      if ('none' in q) throw new StepError('select-profile', q.reason, false);
      profile = q.choice;
      this.#setState('PROFILE_SELECTED', `user profile ${profile.index} selected for ${partner.systemId} (${this.host.profilePolicy.name}): ${q.reason}`);
    } catch (err) {
      this.#fail('MIGRATION_FAILED', err);
      return;
    }
    let session: SystemSession | undefined;
    try {
      await this.#withRetry(
        `migration to ${partner.systemId}`,
        async () => {
          session = newSession(partner.systemId, 'partner', partner.entry.ueInitConfig);
          // Authentication at the partner IdMS with the primary's token (token exchange).
          await authenticatePartner(this.host, home, session);
          this.#setState('PARTNER_AUTHENTICATED', `partner token from ${session.idmsIssuer}`);
          // Migration service authorization with the selected (primary-configured) profile.
          await authorizeMigrationService(this.host, this.id, home, session, profile);
          this.#setState('MIGRATION_AUTHORIZED', `migration service authorization at ${session.mcsPsi} with user profile ${profile.index}`);
          // Subscriptions in the partner system (the profile used there is a different document, NOTE 1).
          await this.#subscribe(session, 'subscribe-partner-cms', 'subscribe-partner-gms');
          this.#setState('SUBSCRIBED', `subscribed at ${session.cmsPsi} and ${session.gmsPsi}`);
        },
        async () => {
          if (session) await this.#teardown(session);
        },
      );
    } catch (err) {
      this.#fail('MIGRATION_FAILED', err);
      return;
    }
    const previous = this.current!;
    this.current = session!;
    this.error = null;
    await this.#teardown(previous);
    if (previous.role === 'partner') this.copies.forgetSystem(previous.systemId);
    this.#scheduleRenewal(session!);
    this.timings.migrationMs = Date.now() - started;
    this.timings.configuredAt = new Date().toISOString();
    this.#setState('STABLE', `configured in partner system ${session!.systemId}; active profile ${this.activeProfile()?.profile?.index ?? 'none'}`);
  }

  /** Back to the primary MC system: online configuration there again, then the partner session ends. */
  async #returnHome(): Promise<void> {
    await this.#configureHome();
  }

  /** The primary-configured user profiles (read from the protected copies; a tampered copy is re-fetched). */
  async #primaryProfiles(): Promise<ProfileView[]> {
    const home = this.home!;
    const out: ProfileView[] = [];
    for (const meta of this.copies.list(home.systemId).filter((d) => d.kind === 'user-profile')) {
      let r = await this.copies.read(meta);
      if (!r.ok && r.reason === 'tampered') {
        this.#event(`local copy ${meta.sel} failed its integrity check: re-fetching`);
        if (this.current === home) {
          await fetchDocument(this.copies, home, 'cms', meta.sel, 'select-partner', { conditional: false });
          r = await this.copies.read(this.copies.get(home.systemId, 'cms', meta.sel)!);
        }
      }
      if (!r.ok) continue;
      try {
        const p = parseUserProfile(r.copy.body);
        out.push({ index: p.userProfileIndex, name: p.profileName?.[0]?.value, preSelected: p.preSelectedIndication !== undefined, sel: meta.sel, partners: partnerMcSystemsOf(p) });
      } catch {
        /* unreadable profile: not a candidate */
      }
    }
    return out;
  }

  async #subscribe(session: SystemSession, cmsStep: StepName, gmsStep: StepName): Promise<void> {
    const uris = cmsDocumentUris(session.mcpttId!, this.host.config.profileIndexes);
    const cms = subscribeDocuments(this.host, this.id, session, 'cms', uris, cmsStep, (n) => this.#onNotify(session, 'cms', n), (i) => this.#onTerminated(session, 'cms', i));
    session.cms = cms.handle;
    const waits = [cms.initial];
    if (session.gmsPsi && session.gmsXcapRoot) {
      const gms = subscribeDocuments(this.host, this.id, session, 'gms', [GMS_GROUPS_COLLECTION], gmsStep, (n) => this.#onNotify(session, 'gms', n), (i) => this.#onTerminated(session, 'gms', i));
      session.gms = gms.handle;
      waits.push(gms.initial);
    }
    await Promise.all(waits);
  }

  /** A NOTIFY (TS 24.484 clause 6.3.13; NOTE 2: at any time, also in a partner system). */
  async #onNotify(session: SystemSession, server: 'cms' | 'gms', n: IncomingNotify): Promise<void> {
    if (session.closed || this.#stopped || !n.body) return;
    const updating = this.state === 'STABLE' && session === this.current;
    if (updating) this.#setState('UPDATING');
    try {
      const results = await this.#http(() =>
        applyNotify(this.copies, session, server, n.body, (sel) => this.#event(`local copy ${sel} failed its integrity check: re-fetching`, false)),
      );
      const changed = results.filter((r) => r.action !== 'up-to-date');
      if (changed.length) this.#event(`NOTIFY from ${server.toUpperCase()} of ${session.systemId}: ${changed.map((r) => `${r.sel.split('/').pop()} ${r.action}`).join(', ')}`, false);
    } catch (err) {
      this.#event(`NOTIFY from ${server.toUpperCase()} of ${session.systemId} could not be applied: ${(err as Error).message}`, false);
    } finally {
      if (updating && this.state === 'UPDATING') this.#setState('STABLE');
      else this.#changed();
    }
  }

  #onTerminated(session: SystemSession, server: 'cms' | 'gms', info: TerminationInfo): void {
    if (session.closed || this.#stopped) return;
    this.#event(`${server.toUpperCase()} subscription in ${session.systemId} terminated (${info.reason})${info.willResubscribe ? '; re-subscribing' : ''}`);
  }

  /** Ends a system session: un-SUBSCRIBE both subscriptions and de-REGISTER (best effort, not awaited beyond the responses). */
  async #teardown(session: SystemSession): Promise<void> {
    if (session.closed) return;
    session.closed = true;
    session.renewTimer?.cancel();
    const subs = [session.cms, session.gms].filter((h) => h !== undefined);
    session.cms = undefined;
    session.gms = undefined;
    for (const h of subs) void h.unsubscribe().catch(() => undefined);
    if (session.registered) {
      try {
        await register(this.host, this.id, session, 'service-authorization', { expires: 0 });
      } catch {
        session.registered = false;
      }
    }
  }

  /** Token renewal before expiry (then a fresh REGISTER, so the MCS holds a valid token). */
  #scheduleRenewal(session: SystemSession): void {
    session.renewTimer?.cancel();
    if (!session.tokens) return;
    const delay = Math.max(5_000, session.tokens.expiresAt - Date.now() - 60_000);
    session.renewTimer = this.host.endpoint.scheduler.schedule(delay, () => {
      void this.#enqueue(async () => {
        if (session.closed || session !== this.current) return;
        try {
          if (session.role === 'home') {
            if (!(await refresh(this.host, session))) await login(this.host, session, this.user.username, this.user.password);
          } else await authenticatePartner(this.host, this.home!, session);
          await register(this.host, this.id, session, session.role === 'home' ? 'service-authorization' : 'migration-service-authorization', {
            ...(session.role === 'partner' && session.accessProfile
              ? { migration: { homeSystem: this.home!.systemId, userProfileIndex: session.accessProfile.index, userProfile: session.accessProfile.sel } }
              : {}),
          });
          this.#event(`tokens of ${session.systemId} renewed`);
        } catch (err) {
          this.#event(`token renewal in ${session.systemId} failed: ${(err as Error).message}`);
        }
        this.#scheduleRenewal(session);
      });
    });
  }
}
