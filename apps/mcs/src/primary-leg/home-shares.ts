/**
 * What the primary MCS decides with: the migration authorizations its own system's CMS recorded
 * for its users (the CSC-17 shares, TS 23.280 clause 10.1.4.1). It reads them over the CMS's
 * existing admin API with the system's admin credential, `GET <cms>/admin/migrations?mcpttId=&partnerSystemId=` →
 * `[{ mcpttId, partnerSystemId, status, profileSelector, accessProfiles }]` (docs/server-contracts.md);
 * no database of its own.
 */
import { readCmsJson } from '../cms-read.ts';

export interface HomeShare {
  mcpttId: string;
  partnerSystemId: string;
  status: string;
  accessProfiles: number[];
}

export interface HomeShares {
  /** The share of `mcpttId` with `partnerSystemId`, undefined when there is none. @throws Refusal('unavailable') */
  find(mcpttId: string, partnerSystemId: string): Promise<HomeShare | undefined>;
}

export function createHomeShares(cms: { url: string; adminToken: string }): HomeShares {
  const base = cms.url.replace(/\/+$/, '');
  return {
    async find(mcpttId, partnerSystemId) {
      // One user's shares (`?mcpttId=&partnerSystemId=`), not the whole list, which grows with the users.
      const query = new URLSearchParams({ mcpttId, partnerSystemId });
      const rows = (await readCmsJson<Partial<HomeShare>[]>(`${base}/admin/migrations?${query}`, cms.adminToken, 'home CMS', false)) ?? [];
      const row = rows.find((r) => r.mcpttId === mcpttId && r.partnerSystemId === partnerSystemId);
      if (!row) return undefined;
      return { mcpttId, partnerSystemId, status: String(row.status ?? ''), accessProfiles: Array.isArray(row.accessProfiles) ? row.accessProfiles.map(Number) : [] };
    },
  };
}
