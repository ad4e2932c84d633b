/** A UE as the control API shows it: the `UeSnapshot` wire type of libs/ue-host-api (docs/ue-host-api.md). */
import type { UeSnapshot } from '@mcx/ue-host-api';
import type { LocalCopies } from '../online-configuration/local-copies.ts';
import { redactToken } from '../tap/redact.ts';
import { activeProfileOf, documentList } from './active-profile.ts';
import type { SystemSession } from './session.ts';
import type { UeStateMachine } from './state-machine.ts';

export interface SnapshotSource {
  readonly id: string;
  readonly user: { username: string; home: string };
  readonly plmn: string;
  readonly home: SystemSession | undefined;
  readonly current: SystemSession | undefined;
  readonly copies: LocalCopies;
  readonly timings: UeSnapshot['timings'];
}

export function snapshotOf(ue: SnapshotSource, machine: UeStateMachine): UeSnapshot {
  const cur = ue.current;
  const active = activeProfileOf(ue.copies, cur);
  const tokens: UeSnapshot['tokens'] = {};
  for (const s of [ue.home, cur]) {
    if (!s?.tokens) continue;
    const access = redactToken(s.tokens.accessToken)!;
    tokens[s.systemId] = { access, cms: access, gms: access, mcs: access, expiresAt: new Date(s.tokens.expiresAt).toISOString() };
  }
  return {
    id: ue.id,
    user: ue.user.username,
    mcpttId: cur?.mcpttId ?? ue.home?.mcpttId ?? null,
    primaryMcpttId: ue.home?.mcpttId ?? null,
    state: machine.state,
    system: cur?.systemId ?? null,
    homeSystem: ue.user.home,
    plmn: ue.plmn,
    migrated: cur?.role === 'partner',
    activeProfile: active ? { system: active.system, index: active.profile!.index, name: active.profile!.name ?? null, selector: active.sel, etag: active.etag } : null,
    accessProfile: cur?.role === 'partner' && cur.accessProfile ? { index: cur.accessProfile.index, selector: cur.accessProfile.sel } : null,
    documents: documentList(ue.copies, cur?.systemId).map((d, n) => ({ n, system: d.system, server: d.server, selector: d.sel, etag: d.etag, kind: d.kind, updatedAt: d.updatedAt, active: d.system === cur?.systemId })),
    tokens,
    lastEvent: machine.lastEvent,
    error: machine.error,
    history: machine.history.slice(-30),
    timings: ue.timings,
  };
}
