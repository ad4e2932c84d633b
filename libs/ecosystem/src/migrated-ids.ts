/**
 * The MCPTT IDs a partner system assigns users migrating there (TS 23.280 clause 10.16.5) that
 * the file names explicitly (`users[].migrateTo[].mcpttId`); the others get the servers' default
 * rule (libs/auth assignMigratedMcpttId: `sip:<user>.<home>@<partner domain>`, our choice).
 */
import { mcpttIdOf } from './endpoints.ts';
import type { Ecosystem } from './schema.ts';

export function assignedMcpttIdsIn(eco: Ecosystem, partner: string): { homeSystemId: string; mcpttId: string; assignedMcpttId: string }[] {
  return eco.users.flatMap((u) =>
    u.migrateTo.filter((m) => m.system === partner && m.mcpttId).map((m) => ({ homeSystemId: u.home, mcpttId: mcpttIdOf(eco, u), assignedMcpttId: m.mcpttId! })),
  );
}
