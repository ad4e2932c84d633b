/**
 * Runs a scenario against an ecosystem through its real interfaces: the UE host control API
 * (docs/ue-host-api.md) and the CMS admin API. Each step either passes or fails with a reason;
 * the run stops at the first failure (later steps would only repeat it).
 */
import { parseUserProfile, serializeUserProfile } from '@mcx/documents';
import type { Message, UeSnapshot } from '@mcx/ue-host-api';
import type { RuntimeEndpoints } from '../ecosystem/runtime-file.ts';
import { adminDocumentUrl } from '../ecosystem/console.ts';
import type { MessageMatcher, Scenario, Step } from './schema.ts';
import type { UeHostRef, UeHostRouter } from './ue-hosts.ts';
import { xpathValue } from './xpath.ts';

export interface StepResult {
  index: number;
  /** "steps" or "cleanup". */
  block?: 'steps' | 'cleanup';
  step: string;
  ok: boolean;
  /** Not run: an earlier step failed. */
  skipped?: boolean;
  ms: number;
  detail: string;
  /** With several UE hosts (--ue-hosts, --ue-host): the host of the UE the step addresses. */
  ue_host?: string;
}

export interface ScenarioResult {
  name: string;
  file: string;
  ok: boolean;
  ms: number;
  steps: StepResult[];
  /** With several UE hosts (--ue-hosts, --ue-host): the host each UE the scenario created ran on. */
  ue_hosts?: { ue: string; host: string; url: string }[];
}

/** What fault injection needs of an ecosystem the runner started itself (libs/mc-system). */
export interface FaultControl {
  stopServer(systemId: string, server: 'idms' | 'cms' | 'gms' | 'mcs'): Promise<boolean>;
  startServer(systemId: string, server: 'idms' | 'cms' | 'gms' | 'mcs'): Promise<boolean>;
  /**
   * Closes the whole ecosystem and starts it again on the same data directory (databases, secrets,
   * UE copies kept; the same ports): its new endpoints and fault control. Absent when the scenario does
   * not run alone on the ecosystem.
   */
  restartEcosystem?(): Promise<{
    endpoints: RuntimeEndpoints;
    faults: FaultControl;
    /** The UE host processes, started again for the new ecosystem (when the run drives several). */
    ueHosts?: UeHostRef[];
  }>;
}

class StepFailure extends Error {}

const unquote = (etag: string | undefined) => etag?.replace(/^W\//, '').replace(/^"|"$/g, '');

export class ScenarioContext {
  /** UEs started by the scenario (stopped at the end). */
  readonly started = new Set<string>();
  /** The point message expectations look after (ms since the epoch): the start of the last action step. */
  point = Date.now();
  /** `mark: NAME` points. */
  readonly marks = new Map<string, number>();
  /** Documents the scenario changed (admin_edit_profile, upload): their first body, put back at the end. */
  readonly changed = new Map<string, { system: string; selector: string; body: string }>();
  /** Servers the scenario stopped (started again at the end). */
  readonly stopped = new Set<string>();
  /** Set when the runner started the ecosystem itself: fault injection. */
  faults?: FaultControl;
  /**
   * Set when the run drives several UE hosts (ue-hosts.ts): each UE the scenario creates goes to one
   * of them, and every request about a UE to the host that owns it. Unset: the ecosystem's UE host.
   */
  router?: UeHostRouter;
  /** The host each UE this scenario created was placed on (the report's ue_hosts). */
  readonly placed = new Map<string, UeHostRef>();
  constructor(
    /** Replaced when a `restart_ecosystem` step restarts the ecosystem (new ports). */
    public endpoints: RuntimeEndpoints,
    readonly adminTokens: Map<string, string>,
    /** The UE host's control secret (docs/ue-host-api.md "Authentication"). */
    readonly controlToken: string,
    readonly timeScale = 1,
  ) {}

  /** The ecosystem's own UE host (`mcx up`'s, or the one the runner started). */
  get ecosystemHost(): UeHostRef {
    return { name: 'ecosystem', url: this.endpoints.ueHost, token: this.controlToken };
  }

  /** The UE host that owns a UE: the one the router placed it on, else the ecosystem's. */
  hostOf(ueId: string): UeHostRef {
    return this.router?.of(ueId) ?? this.ecosystemHost;
  }

  /**
   * A request to a UE host's control API, with that host's control secret: by default the host that
   * owns the UE the path names (`/api/ues/{id}...`), else the ecosystem's.
   */
  hostFetch(path: string, init: RequestInit = {}, host?: UeHostRef): Promise<Response> {
    const ue = /^\/api\/ues\/([^/?]+)/.exec(path)?.[1];
    const to = host ?? (ue === undefined ? this.ecosystemHost : this.hostOf(decodeURIComponent(ue)));
    return fetch(`${to.url}${path}`, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string> | undefined),
        authorization: `Bearer ${to.token}`,
      },
    });
  }

  async call<T>(
    path: string,
    init: RequestInit = {},
    host?: UeHostRef,
  ): Promise<{ status: number; body: T }> {
    const res = await this.hostFetch(
      path,
      {
        ...init,
        headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
      },
      host,
    );
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* text body */
    }
    return { status: res.status, body: body as T };
  }

  async ue(id: string): Promise<UeSnapshot> {
    const { status, body } = await this.call<UeSnapshot>(`/api/ues/${encodeURIComponent(id)}`);
    if (status !== 200) throw new StepFailure(`UE ${id}: ${status}`);
    return body;
  }

  async until<T>(
    what: string,
    within: number,
    probe: () => Promise<{ done: boolean; value: T; state: string }>,
  ): Promise<T> {
    const deadline = Date.now() + within * this.timeScale;
    for (;;) {
      // A server that cannot be reached (stopped by a fault step, restarting) is "not yet", not a failure.
      const r = await probe().catch((err: unknown) => {
        if (err instanceof StepFailure || !(err instanceof TypeError)) throw err;
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        return {
          done: false,
          value: undefined as T,
          state: `unreachable: ${err.message}${cause ? ` (${cause.code ?? cause.message})` : ''}`,
        };
      });
      if (r.done) return r.value;
      if (Date.now() > deadline)
        throw new StepFailure(`${what}: not within ${within} ms; last seen: ${r.state}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  system(id: string) {
    const s = this.endpoints.systems.find((x) => x.id === id);
    if (!s) throw new StepFailure(`unknown system ${id}`);
    return s;
  }

  /** Keeps the server's current body of a document before the scenario changes it (once per document). */
  async remember(systemId: string, selector: string): Promise<void> {
    const key = `${systemId} ${selector}`;
    if (this.changed.has(key)) return;
    const doc = await this.adminGet(systemId, selector);
    this.changed.set(key, { system: systemId, selector, body: doc.body });
  }

  /** Admin PUT of a document body, conditional on the server's current ETag. */
  async adminPut(
    systemId: string,
    selector: string,
    body: string,
  ): Promise<{ etag: string; version: number }> {
    const current = await this.adminGet(systemId, selector);
    const s = this.system(systemId);
    const res = await fetch(adminDocumentUrl(s.admin.replace(/\/admin$/, ''), selector), {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${this.adminTokens.get(systemId) ?? ''}`,
        'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml',
        'if-match': `"${current.etag}"`,
      },
      body,
    });
    if (!res.ok)
      throw new StepFailure(
        `admin PUT ${selector} in ${systemId} refused: ${res.status} ${await res.text()}`,
      );
    return (await res.json()) as { etag: string; version: number };
  }

  /** The UE's messages logged at or after `since` (ms). */
  async messagesSince(ueId: string, since: number): Promise<Message[]> {
    const { status, body } = await this.call<Message[]>(`/api/ues/${encodeURIComponent(ueId)}/messages`);
    if (status !== 200) throw new StepFailure(`messages of UE ${ueId}: ${status}`);
    return (body ?? []).filter((m) => Date.parse(m.at) >= since);
  }

  pointOf(after: string | undefined): number {
    if (after === undefined) return this.point;
    const at = this.marks.get(after);
    if (at === undefined) throw new StepFailure(`no mark "${after}"`);
    return at;
  }

  async adminGet(
    systemId: string,
    selector: string,
  ): Promise<{ body: string; etag: string; version: number }> {
    const s = this.system(systemId);
    const res = await fetch(adminDocumentUrl(s.admin.replace(/\/admin$/, ''), selector), {
      headers: { authorization: `Bearer ${this.adminTokens.get(systemId) ?? ''}` },
    });
    if (!res.ok)
      throw new StepFailure(`admin GET ${selector} in ${systemId}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { body: string; etag: string; version: number };
  }
}

function matcherText(m: MessageMatcher): string {
  const dir = m.to
    ? ` to ${m.to}`
    : m.from
      ? ` from ${m.from}`
      : m.peer
        ? ` ${m.direction === 'in' ? 'from' : m.direction === 'out' ? 'to' : 'with'} ${m.peer}`
        : m.direction
          ? ` (${m.direction})`
          : '';
  return `${m.protocol ? `${m.protocol} ` : ''}${m.summary ?? 'any message'}${dir}`;
}

/** A step as a person reads it: `expect_message NOTIFY from CMS-B`, `change_plmn sc-mig-alice 00102`. */
export function describe(step: Step): string {
  const [kind, args] = Object.entries(step)[0]! as [string, unknown];
  const a = args as Record<string, unknown>;
  const after = typeof a?.['after'] === 'string' ? ` after ${String(a['after'])}` : '';
  if ('start_ue' in step) return `start_ue ${step.start_ue.id} (${step.start_ue.user})`;
  if ('change_plmn' in step) return `change_plmn ${step.change_plmn.ue} ${step.change_plmn.plmn}`;
  if ('expect_state' in step) {
    const e = step.expect_state;
    return `expect_state ${e.ue} ${[e.state, e.system ? `in ${e.system}` : '', e.reason ? `"${e.reason}"` : ''].filter(Boolean).join(' ')}`;
  }
  if ('expect_message' in step) return `expect_message ${matcherText(step.expect_message)}${after}`;
  if ('expect_no_message' in step)
    return `expect_no_message ${matcherText(step.expect_no_message)} within ${step.expect_no_message.within} ms${after}`;
  if ('expect_order' in step)
    return `expect_order ${step.expect_order.messages.map(matcherText).join(' < ')}${after}`;
  if ('expect_document' in step) {
    const e = step.expect_document;
    const what = [
      e.version !== undefined ? `version ${e.version}` : '',
      e.etag ? `ETag ${e.etag}` : '',
      e.xpath ? (e.value === undefined ? `${e.xpath} exists` : `${e.xpath} = "${e.value}"`) : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `expect_document ${e.ue} ${e.kind ?? e.selector ?? 'active profile'}${what ? ` ${what}` : ''}`;
  }
  if ('expect_group_member' in step) {
    const e = step.expect_group_member;
    return `expect_group_member ${e.member} ${e.present ? 'in' : 'not in'} ${e.group} (${e.system})`;
  }
  if ('admin_request' in step)
    return `admin_request ${step.admin_request.method} ${step.admin_request.server} ${step.admin_request.path} (${step.admin_request.system})`;
  if ('stop_server' in step) return `stop_server ${step.stop_server.server} of ${step.stop_server.system}`;
  if ('start_server' in step)
    return `start_server ${step.start_server.server} of ${step.start_server.system}`;
  if ('mark' in step) return `mark ${step.mark}`;
  if ('expire_token' in step) return `expire_token ${step.expire_token.ue}`;
  if ('restart_ecosystem' in step) return 'restart_ecosystem';
  if ('sip_fault' in step) {
    const e = step.sip_fault;
    const dir =
      e.direction === 'in'
        ? `from ${e.peer}`
        : e.direction === 'out'
          ? `to ${e.peer}`
          : `from and to ${e.peer}`;
    return `sip_fault ${e.ue} ${e.action === 'drop' ? 'drop' : `delay ${e.delay ?? 0} ms`} SIP ${dir} for ${e.for} ms`;
  }
  if ('wait' in step) return `wait ${step.wait} ms`;
  if (typeof args !== 'object' || args === null) return `${kind} ${String(args)}`;
  return `${kind} ${Object.entries(a)
    .map(([k, v]) =>
      k === 'ue' ? String(v) : `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
    )
    .join(', ')}`;
}

function matches(m: Message, e: MessageMatcher): boolean {
  return (
    (e.summary === undefined || m.summary.includes(e.summary)) &&
    (!e.peer || m.peer === e.peer) &&
    (!e.to || (m.peer === e.to && m.direction === 'out')) &&
    (!e.from || (m.peer === e.from && m.direction === 'in')) &&
    (!e.protocol || m.protocol === e.protocol) &&
    (!e.direction || m.direction === e.direction)
  );
}

/** Steps that observe (expectations, marks): they do not move the point later expectations look after. */
const OBSERVING = new Set([
  'expect_state',
  'expect_profile_synchronized',
  'expect_message',
  'expect_no_message',
  'expect_order',
  'expect_document',
  'expect_group_member',
  'mark',
]);

function stepKind(step: Step): string {
  return Object.keys(step)[0]!;
}

/** The UE a step addresses (`start_ue`'s id, else its `ue:`), if any. */
export function stepUe(step: Step): string | undefined {
  if ('start_ue' in step) return step.start_ue.id;
  const args = Object.values(step)[0] as unknown;
  const ue = typeof args === 'object' && args !== null ? (args as { ue?: unknown }).ue : undefined;
  return typeof ue === 'string' ? ue : undefined;
}

function snapshotText(u: UeSnapshot): string {
  return `${u.state} in ${u.system ?? '-'} (PLMN ${u.plmn})${u.error ? `, error ${u.error.step ?? ''}: ${u.error.reason}` : ''}${u.lastEvent ? `, last: ${u.lastEvent.text}` : ''}`;
}

async function runStep(ctx: ScenarioContext, step: Step): Promise<string> {
  if ('start_ue' in step) {
    const id = step.start_ue.id;
    const host = ctx.router?.assign(id);
    if (host) ctx.placed.set(id, host);
    const { status, body } = await ctx.call<UeSnapshot>(
      '/api/ues',
      { method: 'POST', body: JSON.stringify(step.start_ue) },
      host,
    );
    if (status !== 201) {
      ctx.router?.release(id);
      throw new StepFailure(`start refused: ${status} ${JSON.stringify(body)}`);
    }
    ctx.started.add(id);
    return host ? `started ${id} on ${host.name}` : `started ${id}`;
  }
  if ('stop_ue' in step) {
    const { status } = await ctx.call(`/api/ues/${encodeURIComponent(step.stop_ue.ue)}`, {
      method: 'DELETE',
    });
    if (status !== 204) throw new StepFailure(`stop refused: ${status}`);
    ctx.started.delete(step.stop_ue.ue);
    ctx.router?.release(step.stop_ue.ue);
    return `stopped ${step.stop_ue.ue}`;
  }
  if ('change_plmn' in step) {
    const { status, body } = await ctx.call(`/api/ues/${encodeURIComponent(step.change_plmn.ue)}/plmn`, {
      method: 'POST',
      body: JSON.stringify({ plmn: step.change_plmn.plmn }),
    });
    if (status !== 202 && status !== 200)
      throw new StepFailure(`PLMN change refused: ${status} ${JSON.stringify(body)}`);
    return `registered PLMN ${step.change_plmn.plmn}`;
  }
  if ('expect_state' in step) {
    const e = step.expect_state;
    const u = await ctx.until(`UE ${e.ue} ${e.state ?? ''} ${e.system ?? ''}`, e.within, async () => {
      const u = await ctx.ue(e.ue);
      const text = `${u.lastEvent?.text ?? ''} ${u.error?.reason ?? ''} ${u.error?.step ?? ''}`;
      const done =
        (e.state === undefined || u.state === e.state) &&
        (e.system === undefined || u.system === e.system) &&
        (e.reason === undefined || text.includes(e.reason));
      return { done, value: u, state: snapshotText(u) };
    });
    return snapshotText(u);
  }
  if ('admin_edit_profile' in step) {
    const u = await ctx.ue(step.admin_edit_profile.ue);
    if (!u.system || !u.activeProfile)
      throw new StepFailure(`UE ${u.id} has no active profile (${snapshotText(u)})`);
    await ctx.remember(u.system, u.activeProfile.selector);
    const doc = await ctx.adminGet(u.system, u.activeProfile.selector);
    const profile = parseUserProfile(doc.body);
    const edited = serializeUserProfile({
      ...profile,
      profileName: [{ value: step.admin_edit_profile.profile_name, lang: 'en' }],
    });
    const out = await ctx.adminPut(u.system, u.activeProfile.selector, edited);
    return `profile ${u.activeProfile.selector} in ${u.system}: version ${out.version}, ETag ${out.etag}`;
  }
  if ('expect_profile_synchronized' in step) {
    const e = step.expect_profile_synchronized;
    const result = await ctx.until(`UE ${e.ue} profile copy synchronized`, e.within, async () => {
      const u = await ctx.ue(e.ue);
      if (!u.system || !u.activeProfile) return { done: false, value: '', state: snapshotText(u) };
      const server = await ctx.adminGet(u.system, u.activeProfile.selector);
      const copy = u.documents?.find(
        (d) => d.selector === u.activeProfile!.selector && (d.system === undefined || d.system === u.system),
      );
      const nameOk = e.profile_name === undefined || server.body.includes(`>${e.profile_name}<`);
      const done = unquote(copy?.etag) === unquote(server.etag) && nameOk;
      return {
        done,
        value: `copy ETag ${copy?.etag} = server ETag (version ${server.version})`,
        state: `copy ${copy?.etag ?? 'none'} vs server ${server.etag}`,
      };
    });
    return result;
  }
  if ('expect_message' in step) {
    const e = step.expect_message;
    const since = ctx.pointOf(e.after);
    const m = await ctx.until(`UE ${e.ue} message ${matcherText(e)} after the point`, e.within, async () => {
      const body = await ctx.messagesSince(e.ue, since);
      const hit = body.find((m) => matches(m, e));
      return {
        done: !!hit,
        value: hit,
        state: `${body.length} messages since the point, last: ${body.at(-1)?.summary ?? '-'}`,
      };
    });
    return `#${m!.seq} ${m!.direction} ${m!.peer}: ${m!.summary}`;
  }
  if ('expect_no_message' in step) {
    const e = step.expect_no_message;
    const since = ctx.pointOf(e.after);
    const deadline = Date.now() + e.within * ctx.timeScale;
    for (;;) {
      const hit = (await ctx.messagesSince(e.ue, since)).find((m) => matches(m, e));
      if (hit)
        throw new StepFailure(
          `unexpected #${hit.seq} ${hit.direction} ${hit.peer}: ${hit.summary} at ${hit.at}`,
        );
      if (Date.now() >= deadline) return `none in ${e.within} ms`;
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, Math.max(0, deadline - Date.now()))));
    }
  }
  if ('expect_order' in step) {
    const e = step.expect_order;
    const since = ctx.pointOf(e.after);
    const seqs = await ctx.until(`UE ${e.ue} messages in order`, e.within, async () => {
      const body = await ctx.messagesSince(e.ue, since);
      // Greedy: each matcher takes the first matching message after the previous one's.
      const found: Message[] = [];
      let from = 0;
      for (const matcher of e.messages) {
        const i = body.findIndex((m, n) => n >= from && matches(m, matcher));
        if (i < 0) break;
        found.push(body[i]!);
        from = i + 1;
      }
      const missing = e.messages[found.length];
      return {
        done: found.length === e.messages.length,
        value: found,
        state: missing
          ? `found ${found.map((m) => `#${m.seq}`).join(' < ') || 'none'}, then no ${matcherText(missing)} (${body.length} messages since the point${body.some((m) => matches(m, missing)) ? '; one came earlier' : ''})`
          : '',
      };
    });
    return seqs.map((m) => `#${m.seq} ${m.summary}`).join(' < ');
  }
  if ('mark' in step) {
    ctx.marks.set(step.mark, Date.now());
    return `mark ${step.mark}`;
  }
  if ('expect_document' in step) {
    const e = step.expect_document;
    const result = await ctx.until(`UE ${e.ue} document`, e.within, async () => {
      const u = await ctx.ue(e.ue);
      const system = e.system ?? u.system ?? undefined;
      const n = (u.documents ?? []).find(
        (d) =>
          d.system === system &&
          (e.selector
            ? d.selector.includes(e.selector)
            : e.kind
              ? d.kind === e.kind
              : d.selector === u.activeProfile?.selector),
      );
      if (!n)
        return {
          done: false,
          value: '',
          state: `no such copy (${(u.documents ?? []).map((d) => `${d.system} ${d.kind}`).join(', ')})`,
        };
      const seen: string[] = [`copy ETag ${n.etag}`];
      let ok = true;
      if (e.etag !== undefined) ok &&= unquote(n.etag) === unquote(e.etag);
      if (e.version !== undefined) {
        const server = await ctx.adminGet(n.system, n.selector);
        seen.push(`server version ${server.version} ETag ${server.etag}`);
        ok &&= server.version === e.version && unquote(server.etag) === unquote(n.etag);
      }
      if (e.xpath !== undefined) {
        const res = await ctx.hostFetch(`/api/ues/${encodeURIComponent(e.ue)}/documents/${n.n}`);
        if (!res.ok) throw new StepFailure(`UE copy ${n.selector}: ${res.status}`);
        const value = xpathValue(await res.text(), e.xpath);
        seen.push(`${e.xpath} = ${value === undefined ? 'nothing' : `"${value}"`}`);
        ok &&= e.value === undefined ? value !== undefined : value?.trim() === e.value;
      }
      return {
        done: ok,
        value: `${n.selector.split('/').pop()}: ${seen.join(', ')}`,
        state: seen.join(', '),
      };
    });
    return result;
  }
  if ('expect_group_member' in step) {
    const e = step.expect_group_member;
    const s = ctx.system(e.system);
    const url = `${s.gmsAdmin.replace(/\/$/, '')}/groups/${encodeURIComponent(e.group)}`;
    return ctx.until(`${e.member} ${e.present ? 'in' : 'not in'} ${e.group}`, e.within, async () => {
      const res = await fetch(url, {
        headers: { authorization: `Bearer ${ctx.adminTokens.get(e.system) ?? ''}` },
      });
      if (!res.ok)
        throw new StepFailure(`GMS admin GET ${e.group} in ${e.system}: ${res.status} ${await res.text()}`);
      const g = (await res.json()) as { members?: Array<string | { uri: string }> };
      const members = (g.members ?? []).map((m) => (typeof m === 'string' ? m : m.uri));
      const present = members.includes(e.member);
      return {
        done: present === e.present,
        value: `members: ${members.join(', ')}`,
        state: `members: ${members.join(', ') || 'none'}`,
      };
    });
  }
  if ('restart_ecosystem' in step) {
    if (!ctx.faults?.restartEcosystem)
      throw new StepFailure(
        'restart_ecosystem needs an ecosystem the runner started itself, and the scenario running alone on it',
      );
    const t0 = Date.now();
    const again = await ctx.faults.restartEcosystem();
    ctx.endpoints = again.endpoints;
    ctx.faults = again.faults;
    // The UE host(s) restarted too: the UEs the scenario started are gone.
    ctx.started.clear();
    if (ctx.router && again.ueHosts) ctx.router.replace(again.ueHosts);
    const hosts =
      ctx.router && again.ueHosts ? again.ueHosts.map((h) => h.url).join(', ') : again.endpoints.ueHost;
    return `ecosystem restarted in ${Date.now() - t0} ms (UE host ${hosts})`;
  }
  if ('expire_token' in step) {
    const { status, body } = await ctx.call<UeSnapshot>(
      `/api/ues/${encodeURIComponent(step.expire_token.ue)}/faults/expire-token`,
      { method: 'POST', body: '{}' },
    );
    if (status !== 202) throw new StepFailure(`token expiry refused: ${status} ${JSON.stringify(body)}`);
    return `access token of ${body.system} expired`;
  }
  if ('sip_fault' in step) {
    const e = step.sip_fault;
    if (e.action === 'delay' && e.delay === undefined)
      throw new StepFailure('a delay fault needs delay: (e.g. 2s)');
    const { status, body } = await ctx.call(`/api/ues/${encodeURIComponent(e.ue)}/faults/sip`, {
      method: 'POST',
      body: JSON.stringify({
        peer: e.peer,
        action: e.action,
        direction: e.direction,
        forMs: e.for,
        ...(e.delay ? { delayMs: e.delay } : {}),
      }),
    });
    if (status !== 202) throw new StepFailure(`SIP fault refused: ${status} ${JSON.stringify(body)}`);
    return `until ${(body as { until: string }).until}`;
  }
  if ('stop_server' in step || 'start_server' in step) {
    const e = 'stop_server' in step ? step.stop_server : step.start_server;
    if (!ctx.faults)
      throw new StepFailure(
        'fault injection needs an ecosystem the runner started itself (stop `mcx up`, or run with --own-ecosystem)',
      );
    const key = `${e.system}/${e.server}`;
    if ('stop_server' in step) {
      const changed = await ctx.faults.stopServer(e.system, e.server);
      ctx.stopped.add(key);
      return `${e.server} of ${e.system} ${changed ? 'stopped' : 'was already stopped'}`;
    }
    const changed = await ctx.faults.startServer(e.system, e.server);
    ctx.stopped.delete(key);
    return `${e.server} of ${e.system} ${changed ? 'started again' : 'was already running'}`;
  }
  if ('sync' in step) {
    const { status, body } = await ctx.call<{ results: { selector: string; status: number }[] }>(
      `/api/ues/${encodeURIComponent(step.sync.ue)}/sync`,
      { method: 'POST', body: '{}' },
    );
    if (status !== 200) throw new StepFailure(`sync refused: ${status} ${JSON.stringify(body)}`);
    const bad = body.results.filter((r) => !step.sync.statuses.includes(r.status));
    if (bad.length)
      throw new StepFailure(`unexpected statuses: ${bad.map((r) => `${r.selector} ${r.status}`).join(', ')}`);
    return body.results.map((r) => `${r.status} ${r.selector.split('/').pop()}`).join(', ');
  }
  if ('upload' in step) {
    const e = step.upload;
    const u = await ctx.ue(e.ue);
    if (!u.system || !u.activeProfile)
      throw new StepFailure(`UE ${u.id} has no active profile (${snapshotText(u)})`);
    await ctx.remember(u.system, u.activeProfile.selector);
    let xmlBody: string | undefined;
    if (e.profile_name) {
      const n = (u.documents ?? []).findIndex(
        (d) => d.selector === u.activeProfile!.selector && (d.system === undefined || d.system === u.system),
      );
      const copy = await ctx.hostFetch(`/api/ues/${encodeURIComponent(e.ue)}/documents/${n}`);
      if (!copy.ok) throw new StepFailure(`UE copy of ${u.activeProfile.selector}: ${copy.status}`);
      const profile = parseUserProfile(await copy.text());
      xmlBody = serializeUserProfile({ ...profile, profileName: [{ value: e.profile_name, lang: 'en' }] });
    }
    const { status, body } = await ctx.call<{ status: number; etag?: string | null }>(
      `/api/ues/${encodeURIComponent(e.ue)}/upload`,
      {
        method: 'POST',
        body: JSON.stringify({ selector: u.activeProfile.selector, ...(xmlBody ? { xml: xmlBody } : {}) }),
      },
    );
    if (status !== 200) throw new StepFailure(`upload request refused: ${status} ${JSON.stringify(body)}`);
    if (body.status !== e.expect_status)
      throw new StepFailure(`upload answered ${body.status}, expected ${e.expect_status}`);
    return `upload of ${u.activeProfile.selector.split('/').pop()}: ${body.status}${body.etag ? ` ETag ${body.etag}` : ''}`;
  }
  if ('admin_request' in step) {
    const e = step.admin_request;
    const s = ctx.system(e.system);
    const base =
      e.server === 'idms'
        ? s.idms.issuer
        : e.server === 'cms'
          ? s.admin.replace(/\/admin$/, '')
          : s.gmsAdmin.replace(/\/admin$/, '');
    const res = await fetch(`${base}${e.path}`, {
      method: e.method,
      headers: {
        authorization: `Bearer ${ctx.adminTokens.get(e.system) ?? ''}`,
        ...(e.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(e.body !== undefined ? { body: JSON.stringify(e.body) } : {}),
    });
    const text = await res.text();
    if (res.status !== e.expect_status)
      throw new StepFailure(
        `${e.method} ${e.path} at ${e.server} of ${e.system}: ${res.status} (expected ${e.expect_status}) ${text.slice(0, 300)}`,
      );
    return `${e.method} ${e.server} ${e.path}: ${res.status}`;
  }
  if ('wait' in step) {
    await new Promise((resolve) => setTimeout(resolve, step.wait));
    return `waited ${step.wait} ms`;
  }
  throw new StepFailure('unknown step');
}

export async function runScenario(
  scenario: Scenario,
  file: string,
  ctx: ScenarioContext,
  progress: (line: string) => void = () => {},
): Promise<ScenarioResult> {
  const t0 = Date.now();
  const steps: StepResult[] = [];
  progress(`▶ ${scenario.name} (${file})`);
  // 1. the steps, until the first failure; the rest are reported as skipped.
  let failed = false;
  const runBlock = async (block: 'steps' | 'cleanup', list: readonly Step[], stopAtFailure: boolean) => {
    for (const [index, step] of list.entries()) {
      const name = describe(step);
      if (failed && stopAtFailure) {
        steps.push({
          index,
          block,
          step: name,
          ok: false,
          skipped: true,
          ms: 0,
          detail: 'skipped: an earlier step failed',
        });
        progress(`  - ${name} — skipped`);
        continue;
      }
      const s0 = Date.now();
      if (!OBSERVING.has(stepKind(step))) ctx.point = s0;
      const ue = stepUe(step);
      // The host of the step's UE, taken before the step (stop_ue releases it) and, for start_ue, after.
      const hostBefore = ctx.router && ue !== undefined ? ctx.hostOf(ue).name : undefined;
      const ueHost = () =>
        ctx.router && ue !== undefined
          ? { ue_host: 'start_ue' in step ? (ctx.placed.get(ue)?.name ?? ctx.hostOf(ue).name) : hostBefore! }
          : {};
      try {
        const detail = await runStep(ctx, step);
        steps.push({ index, block, step: name, ok: true, ms: Date.now() - s0, detail, ...ueHost() });
        progress(`  ✓ ${block === 'cleanup' ? 'cleanup: ' : ''}${name} — ${detail} (${Date.now() - s0} ms)`);
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        steps.push({ index, block, step: name, ok: false, ms: Date.now() - s0, detail, ...ueHost() });
        progress(`  ✗ ${block === 'cleanup' ? 'cleanup: ' : ''}${name} — ${detail}`);
        failed = true;
      }
    }
  };
  await runBlock('steps', scenario.steps, true);
  // 2. cleanup, after success and failure alike: every step is tried.
  await runBlock('cleanup', scenario.cleanup ?? [], false);
  // 3. what the runner puts back itself: stopped servers, changed documents, started UEs.
  const restore = async (what: string, action: () => Promise<unknown>) => {
    try {
      await action();
    } catch (err) {
      failed = true;
      const detail = `${what}: ${err instanceof Error ? err.message : String(err)}`;
      steps.push({ index: steps.length, block: 'cleanup', step: what, ok: false, ms: 0, detail });
      progress(`  ✗ cleanup: ${detail}`);
    }
  };
  for (const key of ctx.stopped) {
    const [system, server] = key.split('/') as [string, 'idms' | 'cms' | 'gms' | 'mcs'];
    await restore(`start ${server} of ${system} again`, () => ctx.faults!.startServer(system, server));
  }
  ctx.stopped.clear();
  for (const id of ctx.started) {
    await ctx.call(`/api/ues/${encodeURIComponent(id)}`, { method: 'DELETE' }).catch(() => undefined);
    ctx.router?.release(id);
  }
  ctx.started.clear();
  for (const doc of ctx.changed.values())
    await restore(`put back ${doc.selector.split('/').pop()} in ${doc.system}`, async () => {
      const current = await ctx.adminGet(doc.system, doc.selector);
      if (current.body !== doc.body) await ctx.adminPut(doc.system, doc.selector, doc.body);
    });
  ctx.changed.clear();
  const ok = !failed && steps.every((s) => s.ok);
  const ueHosts = ctx.router
    ? { ue_hosts: [...ctx.placed].map(([ue, h]) => ({ ue, host: h.name, url: h.url })) }
    : {};
  return { name: scenario.name, file, ok, ms: Date.now() - t0, steps, ...ueHosts };
}

const xml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** The scenario's short name in reports: its file name without the extension (`03-profile-update-while-migrated`). */
export function shortName(r: Pick<ScenarioResult, 'file' | 'name'>): string {
  return r.file
    ? r.file
        .split(/[\\/]/)
        .pop()!
        .replace(/\.ya?ml$/, '')
    : r.name;
}

/**
 * JUnit XML: one testsuite per scenario, one testcase per step, named as a person reads it
 * (`03-profile-update-while-migrated: step 4 expect_message NOTIFY from CMS-B`); steps after a
 * failure are `<skipped/>`.
 */
export function junitXml(results: ScenarioResult[]): string {
  const suites = results.map((r) => {
    const cases = r.steps.map((s) => {
      const name = `${shortName(r)}: ${s.block === 'cleanup' ? 'cleanup' : 'step'} ${s.index + 1} ${s.step}`;
      const body = s.skipped ? '<skipped/>' : s.ok ? '' : `<failure message="${xml(s.detail)}"/>`;
      return `    <testcase classname="${xml(shortName(r))}" name="${xml(name)}" time="${(s.ms / 1000).toFixed(3)}">${body}</testcase>`;
    });
    const failures = r.steps.filter((s) => !s.ok && !s.skipped).length;
    const skipped = r.steps.filter((s) => s.skipped).length;
    return `  <testsuite name="${xml(`${shortName(r)}: ${r.name}`)}" tests="${r.steps.length}" failures="${failures}" skipped="${skipped}" time="${(r.ms / 1000).toFixed(3)}" file="${xml(r.file)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}
