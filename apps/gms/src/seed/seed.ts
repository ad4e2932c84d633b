/**
 * Seeding from the ecosystem configuration (server contracts: a separate call after every server
 * listens; idempotent: creates what is absent). A group that exists is reconciled with the seed
 * (our choice: the ecosystem file is the source of truth for the groups it seeds): its display
 * name, priority and member set are put back to the seed's values through the same XCAP
 * procedure as an administrator's edit (so subscribers get a NOTIFY), and what changed is
 * reported (a group that differs gets the seed's whole document; one that matches is not
 * written); groups the seed does not name are not touched. The partner
 * GMS is seeded the same way with the groups a migrated user uses in the partner system: their
 * member lists hold the migrated users' MCPTT IDs of the primary system's domain.
 */
import { z } from 'zod';
import { quoteEtag } from '@mcx/xcap';
import type { GroupOperations, GroupSummary } from '../admin/group-operations.ts';
import type { GroupAdministrators } from '../store/administrators.ts';

export const seedGroupSchema = z.object({
  /** Bare group id (`fire-1` → MC group ID `sip:fire-1@<domain>`) or an MC group ID URI. */
  groupId: z.string().min(1),
  displayName: z.string().min(1),
  /** MCPTT IDs of the members (any system's domain). */
  members: z.array(z.string().min(1)).default([]),
  priority: z.number().int().min(0).max(255).optional(),
  /** MCPTT IDs allowed to edit the group over XCAP (added to the configured ones). */
  administrators: z.array(z.string().min(1)).default([]),
  protectMedia: z.boolean().optional(),
  protectFloorControlSignalling: z.boolean().optional(),
  maxParticipants: z.number().int().positive().optional(),
});

export const gmsSeedSchema = z.object({ groups: z.array(seedGroupSchema).default([]) });
export type GmsSeedInput = z.input<typeof gmsSeedSchema>;

export interface SeedResult {
  /** MC group IDs created by this call. */
  created: string[];
  /** MC group IDs that already had a document (reconciled with the seed when it differed). */
  existing: string[];
  /** Groups that differed from the seed and were put back to it, with what changed ("member sip:carol@... added"). */
  reconciled: { groupId: string; changes: string[] }[];
}

type SeedGroup = z.output<typeof seedGroupSchema>;

/** What differs between a stored group and its seed, in words; empty when they agree. */
export function groupDifferences(stored: GroupSummary, seed: SeedGroup): string[] {
  const changes: string[] = [];
  if ((stored.displayName ?? '') !== seed.displayName) changes.push(`display name "${stored.displayName ?? ''}" -> "${seed.displayName}"`);
  if (seed.priority !== undefined && stored.priority !== seed.priority) changes.push(`priority ${stored.priority ?? '(none)'} -> ${seed.priority}`);
  const have = new Set(stored.members);
  const want = new Set(seed.members);
  for (const m of want) if (!have.has(m)) changes.push(`member ${m} added`);
  for (const m of have) if (!want.has(m)) changes.push(`member ${m} removed`);
  return changes;
}

export async function seedGroups(input: GmsSeedInput, groups: GroupOperations, administrators: GroupAdministrators): Promise<SeedResult> {
  const seed = gmsSeedSchema.parse(input);
  const result: SeedResult = { created: [], existing: [], reconciled: [] };
  for (const g of seed.groups) {
    const id = groups.mcGroupId(g.groupId);
    await administrators.add(id, g.administrators);
    const { administrators: _admins, ...def } = g;
    if (groups.exists(id)) {
      result.existing.push(id);
      const stored = groups.get(id);
      const changes = stored ? groupDifferences(stored, g) : [];
      if (stored && changes.length > 0) {
        // Compare-and-set on the stored version (RFC 4825 clause 7.11): an edit in between wins, and is reported.
        const out = await groups.put(def, { ifMatch: quoteEtag(stored.etag) });
        if (out.status >= 300) throw new Error(`reconciling group ${id} failed with ${out.status}: ${out.body ?? ''}`);
        result.reconciled.push({ groupId: id, changes });
      }
      continue;
    }
    const out = await groups.put(def, { ifNoneMatch: '*' });
    if (out.status === 201) result.created.push(id);
    else if (out.status === 412) result.existing.push(id);
    else throw new Error(`seeding group ${id} failed with ${out.status}: ${out.body ?? ''}`);
  }
  return result;
}
