/**
 * One simulated MCS UE: its state and the dispatch of events to it (state-machine.ts, the
 * transition table in transitions.ts), the systems it holds sessions with, and the commands of
 * the control API. What a registered-PLMN change leads to is decided here: the online
 * configuration in the primary system (TS 24.484 clause 4.2.2.1.1, online-configuration/), a
 * migration to a partner MC system (clause 4.2.2.1.2, migration/) or the return home; the step
 * runner (step-runner.ts) runs their steps. Procedures of one UE run one at a time (a queue).
 * Every timer goes through the host's one scheduler, every SIP message through the host's one
 * endpoint, every HTTP exchange through the UE's own tapped HTTP client.
 */
import { plmnsOf } from '@mcx/documents';
import type { UeSnapshot } from '@mcx/ue-host-api';
import type { TimerHandle } from '@mcx/sip';
import { ProtectedStore } from '../at-rest/protected-store.ts';
import { MIGRATION, type MigrationContext } from '../migration/index.ts';
import { ONLINE_CONFIGURATION, type ConfigurationContext } from '../online-configuration/index.ts';
import { LocalCopies } from '../online-configuration/local-copies.ts';
import { tapFetch } from '../tap/http-tap.ts';
import { uploadDocument, synchronizeAll, type SyncResult, type UploadResult } from '../versions/versions.ts';
import { activeProfileOf, documentList } from './active-profile.ts';
import { endSession } from './end-session.ts';
import type { HostServices } from './host-services.ts';
import type { ProcedureUe } from './procedure-ue.ts';
import type { DocumentMeta, SystemSession } from './session.ts';
import { snapshotOf } from './snapshot.ts';
import type { UeEvent } from './state-handlers.ts';
import { UeStateMachine, type HistoryEntry } from './state-machine.ts';
import { StepError, type UeState } from './states.ts';
import { runProcedure, SUPERSEDED, type RunnerUe } from './step-runner.ts';
import { scheduleRenewal, type RenewalUe } from './token-renewal.ts';
import { nextState } from './transitions.ts';

export type { UeSnapshot } from '@mcx/ue-host-api';

export interface UeUser {
  username: string;
  password: string;
  home: string;
}

export class Ue implements ProcedureUe, RunnerUe, RenewalUe {
  plmn: string;
  home: SystemSession | undefined;
  current: SystemSession | undefined;
  readonly copies: LocalCopies;
  /** The UE's own HTTP client: the host's fetch, recorded by the tap. */
  readonly http: typeof fetch;
  timings: UeSnapshot['timings'] = {};
  readonly #machine: UeStateMachine;
  #queue: Promise<void> = Promise.resolve();
  #stopped = false;
  #stopping: Promise<void> | undefined;
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
    this.copies = new LocalCopies(new ProtectedStore(host.secret, host.copies, id));
    this.http = tapFetch(host.fetch, { ue: id, log: host.log, lanes: host.lanes });
    this.#machine = new UeStateMachine(id, host.logger, () => this.changed());
  }

  // ---------------------------------------------------------------- state and dispatch

  /** The step runner's current step tags this UE's messages (docs/ue-host-api.md "Message" `step`). */
  onStep(tag: { procedure: string; step: string; clause: string } | undefined): void {
    this.host.log.step(this.id, tag);
  }

  get state(): UeState {
    return this.#machine.state;
  }

  get error(): UeSnapshot['error'] {
    return this.#machine.error;
  }

  get lastEvent(): UeSnapshot['lastEvent'] {
    return this.#machine.lastEvent;
  }

  /** The last state transitions (bounded), oldest first. */
  get history(): readonly HistoryEntry[] {
    return this.#machine.history;
  }

  /** Events refused so far (no transition from the state they arrived in; each is logged). */
  get refusedEvents(): number {
    return this.#machine.refused;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Hands an event to the handler of the current state; false when it was refused. */
  dispatch(event: UeEvent): boolean {
    return this.#machine.dispatch(event);
  }

  /** Something worth telling that is no transition (`lastEvent`). */
  note(text: string, notify = true): void {
    this.#machine.note(text, notify);
  }

  /** Something a snapshot shows changed: the host broadcasts it, `waitFor` predicates are checked. */
  changed(): void {
    this.host.changed(this.id);
    for (const w of [...this.#waiters]) w();
  }

  // ---------------------------------------------------------------- observation

  snapshot(): UeSnapshot {
    return snapshotOf(this, this.#machine);
  }

  /** The n-th document of the snapshot's list. */
  documentAt(n: number): DocumentMeta | undefined {
    return documentList(this.copies, this.current?.systemId)[n];
  }

  /** The active user profile in the current system (active-profile.ts). */
  activeProfile(): DocumentMeta | undefined {
    return activeProfileOf(this.copies, this.current);
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

  // ---------------------------------------------------------------- commands

  /** Runs `fn` after the procedures queued before it (one procedure of a UE at a time). */
  enqueue(fn: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(() => (this.#stopped ? undefined : fn()));
    this.#queue = run.catch((err: unknown) => this.host.logger.error({ err, ue: this.id }, 'ue procedure failed'));
    return this.#queue;
  }

  /** Waits through the host's scheduler; `stop()` and a registered-PLMN change end the wait. */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.host.endpoint.scheduler.schedule(ms, () => {
        this.#sleep = undefined;
        resolve();
      });
      this.#sleep = { timer, resolve };
    });
  }

  /** Boots the UE: online configuration in its primary MC system, then follows the registered PLMN. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      await this.#configureHome();
      if (this.current) await this.#reconcile();
    });
  }

  /**
   * The registered PLMN changed (UE command, console, scenario): partner selection / return home,
   * or STABLE again where the UE is configured when that system serves the PLMN. A procedure
   * waiting for a retry re-evaluates now (step-runner.ts) rather than after its backoff.
   */
  setPlmn(plmn: string): Promise<void> {
    this.plmn = plmn;
    this.#wake();
    this.#plmnChangedAt = Date.now();
    this.timings.plmnChangedAt = new Date(this.#plmnChangedAt).toISOString();
    delete this.timings.migrationMs;
    this.note(`registered PLMN changed to ${plmn}`);
    return this.enqueue(() => this.#reconcile());
  }

  /** Get-with-version of every copy of the current system (versions/versions.ts). */
  /**
   * Fault injection (scenarios, our choice): the access token of the system the UE is configured in
   * counts as expired now, so the renewal runs at once (token-renewal.ts: refresh token at home, a
   * new token exchange in a partner, then a fresh REGISTER). False when the UE holds no token.
   */
  expireToken(): boolean {
    const session = this.current;
    if (!session?.tokens || session.closed) return false;
    session.tokens.expiresAt = Date.now();
    this.note(`access token of ${session.systemId} expired (fault injection): renewing now`);
    scheduleRenewal(this, session, 0);
    return true;
  }

  sync(): Promise<SyncResult[]> {
    let out: SyncResult[] = [];
    return this.enqueue(async () => {
      if (!this.current) throw new StepError('fetch', 'not configured', false);
      out = await synchronizeAll(this, this.current, (t) => this.note(t));
      await this.copies.flush(); // the result is told once the copies are on disk
      this.changed();
    }).then(() => out);
  }

  /** Upload of user data (versions/versions.ts): conditional PUT of a document (default: the active profile). */
  upload(selector?: string, xml?: string): Promise<UploadResult> {
    let out: UploadResult = { status: 0, etag: null, selector: selector ?? '' };
    return this.enqueue(async () => {
      if (!this.current) throw new StepError('fetch', 'not configured', false);
      out = await uploadDocument(this, this.current, selector ?? this.activeProfile()?.sel, xml, (t) => this.note(t));
      await this.copies.flush(); // the result is told once the copies are on disk
      this.changed();
    }).then(() => out);
  }

  /** Ends the current `sleep` early. */
  #wake(): void {
    const sleep = this.#sleep;
    this.#sleep = undefined;
    sleep?.timer.cancel();
    sleep?.resolve();
  }

  /**
   * Stops the UE (once; a second call waits for the first): no procedure or local copy write starts
   * any more, the writes in flight end, its sessions end (de-REGISTER, un-SUBSCRIBE), then its local
   * copies are removed unless `keepCopies`. Never rejects: a step that fails is logged and the
   * next one runs, so that stopping a UE always works.
   */
  stop(options: { keepCopies?: boolean } = {}): Promise<void> {
    this.#stopping ??= this.#stop(options);
    return this.#stopping;
  }

  async #stop(options: { keepCopies?: boolean }): Promise<void> {
    this.#stopped = true;
    this.#wake();
    await this.copies.store.close();
    const sessions = new Set([this.current, this.home].filter((s): s is SystemSession => s !== undefined));
    const ended = await Promise.allSettled([...sessions].map((s) => endSession(this.host, this.id, s)));
    for (const r of ended) if (r.status === 'rejected') this.host.logger.warn({ err: r.reason as unknown, ue: this.id }, 'ending a session of a stopping UE failed');
    try {
      this.dispatch({ type: 'DELETED' });
    } catch (err) {
      this.host.logger.warn({ err, ue: this.id }, 'the DELETED transition failed');
    }
    if (options.keepCopies) return;
    try {
      await this.copies.store.destroy();
    } catch (err) {
      this.host.logger.warn({ err, ue: this.id }, 'removing the local copies of a stopped UE failed');
    }
  }

  // ---------------------------------------------------------------- procedures

  /** What the registered PLMN asks for: configuration at home, the return home, a migration or nothing. */
  async #reconcile(): Promise<void> {
    if (!this.current || !this.home) {
      await this.#configureHome();
      if (!this.current) return;
    }
    const current = this.current!;
    if (this.#servesPlmn('home')) {
      if (current.role === 'partner') await this.#configureHome(); // the return home
      else this.#served(current);
      return;
    }
    if (current.role === 'partner' && this.#servesPlmn('current')) return this.#served(current);
    await this.#migrate();
  }

  /** Whether the registered PLMN is one of the home system's (no PLMN counts as home) or of the current system's. */
  #servesPlmn(which: 'home' | 'current'): boolean {
    if (which === 'home') return !this.plmn || (this.home !== undefined && plmnsOf(this.home.initConfig).includes(this.plmn));
    return this.current !== undefined && plmnsOf(this.current.initConfig).includes(this.plmn);
  }

  /** The system the UE is configured in serves the registered PLMN: a failed or dropped move is over (PLMN_SERVED), STABLE there. */
  #served(session: SystemSession): void {
    if (nextState(this.state, 'PLMN_SERVED') === undefined) return; // already STABLE (or UPDATING)
    this.dispatch({ type: 'PLMN_SERVED', text: `registered PLMN ${this.plmn || '(none)'} is served by ${session.systemId}: configured there` });
  }

  /** A move dropped at a retry because the PLMN changed: the re-evaluation queued by `setPlmn` decides what follows. */
  #dropped(what: string): void {
    this.note(`${what} dropped: the registered PLMN changed to ${this.plmn || '(none)'}`);
  }

  #fail(type: 'CONFIGURATION_FAILED' | 'MIGRATION_FAILED', error: StepError): void {
    this.dispatch({ type, error, text: `${error.step} failed: ${error.reason}` });
  }

  /** Online configuration in the primary MC system (TS 24.484 clause 4.2.2.1.1), also the return home. */
  #configureHome(): Promise<void> {
    return this.host.limit(async () => {
      if (this.#stopped) return;
      const started = Date.now();
      const returning = this.current?.role === 'partner';
      const failure = returning ? 'MIGRATION_FAILED' : 'CONFIGURATION_FAILED';
      const system = this.host.system(this.user.home);
      if (!system) return this.#fail(failure, new StepError('ue-init-config', `unknown home system ${this.user.home}`, false));
      const ctx: ConfigurationContext = { ue: this, system, returning };
      // The return home is dropped at a retry when the PLMN is no longer a home one; the first configuration is always wanted.
      const error = await runProcedure(ONLINE_CONFIGURATION, ctx, this, this.host.config.retry, () => !returning || this.#servesPlmn('home'));
      if (error === SUPERSEDED) return this.#dropped('return home');
      if (error) {
        if (!returning) this.current = undefined;
        return this.#fail(failure, error);
      }
      const session = ctx.session!;
      if (this.#stopped) return this.#abandon(session);
      await this.#moveTo(session, ONLINE_CONFIGURATION.describe(ctx));
      this.timings.configuredMs = Date.now() - started;
      if (returning) this.timings.migrationMs = Date.now() - (this.#plmnChangedAt || started);
      this.dispatch({ type: 'CONFIGURED', text: `configured in ${session.systemId}${returning ? ' (back home)' : ''}; active profile ${this.activeProfile()?.profile?.index ?? 'none'}` });
    });
  }

  /** Migration to a partner MC system (TS 24.484 clause 4.2.2.1.2). */
  #migrate(): Promise<void> {
    return this.host.limit(async () => {
      if (this.#stopped) return;
      const started = this.#plmnChangedAt || Date.now();
      const ctx: MigrationContext = { ue: this, profiles: [] };
      const plmn = this.plmn;
      const error = await runProcedure(MIGRATION, ctx, this, this.host.config.retry, () => this.plmn === plmn);
      if (error === SUPERSEDED) return this.#dropped(`migration for PLMN ${plmn}`);
      if (error) return this.#fail('MIGRATION_FAILED', error);
      const session = ctx.session!;
      if (this.#stopped) return this.#abandon(session);
      await this.#moveTo(session, MIGRATION.describe(ctx));
      this.timings.migrationMs = Date.now() - started;
      this.dispatch({ type: 'CONFIGURED', text: `configured in partner system ${session.systemId}; active profile ${this.activeProfile()?.profile?.index ?? 'none'}` });
    });
  }

  /**
   * A procedure that completed after `stop()` ended the UE's sessions: the session it built (a
   * partner's, or the primary's registered and subscribed again) ends too, else its SUBSCRIBE
   * dialogs and registration would outlive the UE, refreshed for ever (un-SUBSCRIBE, RFC 6665
   * clause 4.1.2.3; de-REGISTER, RFC 3261 clause 10.2.2). `stop()` may have closed it already,
   * before the procedure's last steps subscribed in it: it is ended again.
   */
  async #abandon(session: SystemSession): Promise<void> {
    session.closed = false;
    await endSession(this.host, this.id, session);
  }

  /** The UE is configured in `session` now: the previous session ends (a partner's copies are forgotten, the primary's stay for get-with-version). */
  async #moveTo(session: SystemSession, procedure: string): Promise<void> {
    const previous = this.current;
    this.current = session;
    if (previous && previous !== session) {
      // Still part of the procedure in the message log: the previous system's un-SUBSCRIBE and de-REGISTER.
      this.onStep({ procedure, step: 'leave-previous-system', clause: 'RFC 6665 4.1.2.3; RFC 3261 10.2.2' });
      try {
        await endSession(this.host, this.id, previous);
      } finally {
        this.onStep(undefined);
      }
      if (previous.role === 'partner') this.copies.forgetSystem(previous.systemId);
    }
    scheduleRenewal(this, session);
    this.timings.configuredAt = new Date().toISOString();
  }
}
