/**
 * The MC service ID a partner MC system assigns a migrating user (TS 23.280 clause 10.16.5: "Once
 * an MC service user is migrated, he or she will be assigned a new MC service ID by the migrated
 * MC system"). The partner system's servers that need it (CMS: the documents of the user are
 * stored under it; IdMS: it is the partner token's `mcptt_id`) apply the same rule: an explicit
 * assignment from the ecosystem file (`users[].migrateTo[].mcpttId`), else OUR CHOICE of default
 * `sip:<user part of the primary ID>.<home system id>@<partner domain>`, e.g.
 * `sip:alice@mcx-a.example.net` → `sip:alice.mcx-a@mcx-b.example.net`. The primary ID travels
 * alongside where the partner needs it (the token claim `mc_primary_mcptt_id`, the MCS-to-MCS leg).
 */
export interface AssignedMcpttId {
  /** The user's primary MC system. */
  homeSystemId: string;
  /** The user's MCPTT ID there. */
  mcpttId: string;
  /** The MCPTT ID the partner system assigned. */
  assignedMcpttId: string;
}

/** The claim naming the primary MCPTT ID in a partner access token (our choice of name). */
export const PRIMARY_MCPTT_ID_CLAIM = 'mc_primary_mcptt_id';

export function assignMigratedMcpttId(primaryMcpttId: string, homeSystemId: string, partnerDomain: string, assigned: readonly AssignedMcpttId[] = []): string {
  const explicit = assigned.find((a) => a.mcpttId === primaryMcpttId && a.homeSystemId === homeSystemId);
  if (explicit) return explicit.assignedMcpttId;
  const user = /^sips?:([^@;>]+)@/i.exec(primaryMcpttId)?.[1] ?? encodeURIComponent(primaryMcpttId);
  return `sip:${user}.${homeSystemId}@${partnerDomain}`;
}
