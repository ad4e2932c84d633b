/**
 * Scenarios on their own users (our choice): a scenario that declares `users: [alice]` runs on
 * `scn-<scenario>-alice`, a copy of the ecosystem file's alice (password, profiles, partner
 * entries, group memberships) that `mcx scenario run` adds to the ecosystem it starts itself. So
 * scenarios that edit a user's documents can run in parallel and leave the demo users untouched.
 * The steps are rewritten to the copy: `start_ue.user`, and the user's SIP URIs anywhere in a step
 * (`sip:alice@…`, URL-encoded `sip%3Aalice%40…`, the partner-assigned `sip:alice.mcx-a@…`).
 */
import type { Ecosystem } from '@mcx/ecosystem';
import type { Scenario, Step } from './schema.ts';

export interface UserCopy {
  from: string;
  as: string;
}

/** `scn-<file name without extension>-<user>`, in the characters a username allows. */
export function scenarioUsername(file: string, user: string): string {
  const base = file
    .split(/[\\/]/)
    .pop()!
    .replace(/\.ya?ml$/, '');
  return `scn-${base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}-${user}`;
}

export function userCopiesOf(scenario: Scenario, file: string): UserCopy[] {
  return (scenario.users ?? []).map((from) => ({ from, as: scenarioUsername(file, from) }));
}

/** The ecosystem with the copies added (each in every group its original is a member of). */
export function withUserCopies(eco: Ecosystem, copies: readonly UserCopy[]): Ecosystem {
  const users = [...eco.users];
  const groups = eco.groups.map((g) => ({ ...g, members: [...g.members] }));
  for (const { from, as } of copies) {
    if (users.some((u) => u.username === as)) continue;
    const original = eco.users.find((u) => u.username === from);
    if (!original)
      throw new Error(
        `users: no user "${from}" in the ecosystem file (users: ${eco.users.map((u) => u.username).join(', ')})`,
      );
    // Explicit IDs belong to the original: the copy takes the defaults derived from its username.
    const { mcpttId: _m, mcdataId: _d, ...rest } = original;
    users.push({
      ...rest,
      username: as,
      displayName: `${original.displayName ?? from} (scenario copy)`,
      migrateTo: original.migrateTo.map(({ mcpttId: _p, ...m }) => m),
    });
    for (const g of groups) if (g.members.includes(from)) g.members.push(as);
  }
  return { ...eco, users, groups };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The scenario with its steps rewritten to the user copies. */
export function onUserCopies(scenario: Scenario, copies: readonly UserCopy[]): Scenario {
  if (copies.length === 0) return scenario;
  const rewrite = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') {
      let out = value;
      for (const { from, as } of copies) {
        if (key === 'user' && out === from) return as;
        out = out.replace(new RegExp(`(sips?:|sips?%3A)${escape(from)}(@|%40|\\.)`, 'gi'), `$1${as}$2`);
      }
      return out;
    }
    if (Array.isArray(value)) return value.map((v) => rewrite(v));
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, k)]));
    return value;
  };
  return {
    ...scenario,
    steps: scenario.steps.map((s) => rewrite(s) as Step),
    ...(scenario.cleanup ? { cleanup: scenario.cleanup.map((s) => rewrite(s) as Step) } : {}),
  };
}
