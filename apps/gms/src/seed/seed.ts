/**
 * Seeding from the ecosystem configuration (server contracts: a separate call after every server
 * listens; idempotent: creates what is absent, leaves existing documents alone). The partner
 * GMS is seeded the same way with the groups a migrated user uses in the partner system: their
 * member lists hold the migrated users' MCPTT IDs of the primary system's domain.
 */
import { z } from 'zod';
import type { GroupOperations } from '../admin/group-operations.ts';
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
  /** MC group IDs that already had a document (left alone). */
  existing: string[];
}

export async function seedGroups(input: GmsSeedInput, groups: GroupOperations, administrators: GroupAdministrators): Promise<SeedResult> {
  const seed = gmsSeedSchema.parse(input);
  const result: SeedResult = { created: [], existing: [] };
  for (const g of seed.groups) {
    const id = groups.mcGroupId(g.groupId);
    await administrators.add(id, g.administrators);
    if (groups.exists(id)) {
      result.existing.push(id);
      continue;
    }
    const { administrators: _admins, ...def } = g;
    const out = await groups.put(def, { ifNoneMatch: '*' });
    if (out.status === 201) result.created.push(id);
    else if (out.status === 412) result.existing.push(id);
    else throw new Error(`seeding group ${id} failed with ${out.status}: ${out.body ?? ''}`);
  }
  return result;
}
