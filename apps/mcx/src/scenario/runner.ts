/**
 * Runs a scenario against an ecosystem through its real interfaces: the UE host control API
 * (docs/ue-host-api.md) and the CMS admin API. Each step either passes or fails with a reason;
 * the run stops at the first failure (later steps would only repeat it).
 */
import { parseUserProfile, serializeUserProfile } from '@mcx/documents';
import type { Message, UeSnapshot } from '@mcx/ue-host-api';
import type { RuntimeEndpoints } from '../ecosystem/runtime-file.ts';
import { adminDocumentUrl } from '../ecosystem/console.ts';
import type { Scenario, Step } from './schema.ts';

export interface StepResult {
  index: number;
  step: string;
  ok: boolean;
  ms: number;
  detail: string;
}

export interface ScenarioResult {
  name: string;
  file: string;
  ok: boolean;
  ms: number;
  steps: StepResult[];
}

class StepFailure extends Error {}

const unquote = (etag: string | undefined) => etag?.replace(/^W\//, '').replace(/^"|"$/g, '');

export class ScenarioContext {
  /** UEs started by the scenario (stopped at the end). */
  readonly started = new Set<string>();
  constructor(
    readonly endpoints: RuntimeEndpoints,
    readonly adminTokens: Map<string, string>,
    /** The UE host's control secret (docs/ue-host-api.md "Authentication"). */
    readonly controlToken: string,
    readonly timeScale = 1,
  ) {}

  /** A request to the UE host control API, with the control secret. */
  hostFetch(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.endpoints.ueHost}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${this.controlToken}` },
    });
  }

  async call<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const res = await this.hostFetch(path, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
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
      const r = await probe();
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

function describe(step: Step): string {
  const [kind, args] = Object.entries(step)[0]!;
  return `${kind} ${typeof args === 'object' ? JSON.stringify(args) : String(args)}`;
}

function snapshotText(u: UeSnapshot): string {
  return `${u.state} in ${u.system ?? '-'} (PLMN ${u.plmn})${u.error ? `, error ${u.error.step ?? ''}: ${u.error.reason}` : ''}${u.lastEvent ? `, last: ${u.lastEvent.text}` : ''}`;
}

async function runStep(ctx: ScenarioContext, step: Step): Promise<string> {
  if ('start_ue' in step) {
    const { status, body } = await ctx.call<UeSnapshot>('/api/ues', {
      method: 'POST',
      body: JSON.stringify(step.start_ue),
    });
    if (status !== 201) throw new StepFailure(`start refused: ${status} ${JSON.stringify(body)}`);
    ctx.started.add(step.start_ue.id);
    return `started ${step.start_ue.id}`;
  }
  if ('stop_ue' in step) {
    const { status } = await ctx.call(`/api/ues/${encodeURIComponent(step.stop_ue.ue)}`, {
      method: 'DELETE',
    });
    if (status !== 204) throw new StepFailure(`stop refused: ${status}`);
    ctx.started.delete(step.stop_ue.ue);
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
    const doc = await ctx.adminGet(u.system, u.activeProfile.selector);
    const profile = parseUserProfile(doc.body);
    const edited = serializeUserProfile({
      ...profile,
      profileName: [{ value: step.admin_edit_profile.profile_name, lang: 'en' }],
    });
    const s = ctx.system(u.system);
    const res = await fetch(adminDocumentUrl(s.admin.replace(/\/admin$/, ''), u.activeProfile.selector), {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${ctx.adminTokens.get(u.system) ?? ''}`,
        'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml',
        'if-match': `"${doc.etag}"`,
      },
      body: edited,
    });
    if (!res.ok) throw new StepFailure(`admin PUT refused: ${res.status} ${await res.text()}`);
    const out = (await res.json()) as { etag: string; version: number };
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
    const m = await ctx.until(`UE ${e.ue} message "${e.summary}"`, e.within, async () => {
      const { body } = await ctx.call<Message[]>(`/api/ues/${encodeURIComponent(e.ue)}/messages`);
      const hit = [...(body ?? [])]
        .reverse()
        .find(
          (m) =>
            m.summary.includes(e.summary) &&
            (!e.peer || m.peer === e.peer) &&
            (!e.protocol || m.protocol === e.protocol) &&
            (!e.direction || m.direction === e.direction),
        );
      return {
        done: !!hit,
        value: hit,
        state: `${body?.length ?? 0} messages, last: ${body?.at(-1)?.summary ?? '-'}`,
      };
    });
    return `#${m!.seq} ${m!.direction} ${m!.peer}: ${m!.summary}`;
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
  for (const [index, step] of scenario.steps.entries()) {
    const s0 = Date.now();
    const name = describe(step);
    try {
      const detail = await runStep(ctx, step);
      steps.push({ index, step: name, ok: true, ms: Date.now() - s0, detail });
      progress(`  ✓ ${name} — ${detail} (${Date.now() - s0} ms)`);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      steps.push({ index, step: name, ok: false, ms: Date.now() - s0, detail });
      progress(`  ✗ ${name} — ${detail}`);
      break;
    }
  }
  for (const id of ctx.started)
    await ctx.call(`/api/ues/${encodeURIComponent(id)}`, { method: 'DELETE' }).catch(() => undefined);
  ctx.started.clear();
  const ok = steps.length === scenario.steps.length && steps.every((s) => s.ok);
  return { name: scenario.name, file, ok, ms: Date.now() - t0, steps };
}

const xml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** JUnit XML: one testsuite per scenario, one testcase per step. */
export function junitXml(results: ScenarioResult[]): string {
  const suites = results.map((r) => {
    const cases = r.steps.map(
      (s) =>
        `    <testcase classname="${xml(r.name)}" name="${xml(`${s.index + 1}. ${s.step}`)}" time="${(s.ms / 1000).toFixed(3)}">${s.ok ? '' : `<failure message="${xml(s.detail)}"/>`}</testcase>`,
    );
    const failures = r.steps.filter((s) => !s.ok).length;
    return `  <testsuite name="${xml(r.name)}" tests="${r.steps.length}" failures="${failures}" time="${(r.ms / 1000).toFixed(3)}" file="${xml(r.file)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}
