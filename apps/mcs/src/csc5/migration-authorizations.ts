/**
 * CSC-5 (MC service server ↔ CMS, TS 23.280 clause 7.5.2.5): the MCS asks the CMS of its own
 * system which migration authorization it holds for a user, i.e. what the primary system shared
 * over CSC-17 (TS 23.280 clause 7.5.2.17; docs/server-contracts.md):
 * `GET <cms>/csc5/migrations/:mcpttId` with the system's admin bearer →
 * `{ homeSystemId, accessProfiles: number[], profileSelector?, status }` or 404.
 */
import { readCmsJson } from '../cms-read.ts';

export interface MigrationAuthorization {
  homeSystemId: string;
  accessProfiles: number[];
  profileSelector?: string | null;
  status: string;
}

export interface Csc5Client {
  /** The authorization the CMS holds, undefined on 404. @throws Refusal('unavailable') */
  migrationAuthorization(mcpttId: string): Promise<MigrationAuthorization | undefined>;
}

export function createCsc5Client(cms: { url: string; adminToken: string }): Csc5Client {
  const base = cms.url.replace(/\/+$/, '');
  return {
    async migrationAuthorization(mcpttId) {
      const body = await readCmsJson<Partial<MigrationAuthorization>>(`${base}/csc5/migrations/${encodeURIComponent(mcpttId)}`, cms.adminToken, 'CMS (CSC-5)', true);
      if (body === undefined) return undefined;
      return {
        homeSystemId: String(body.homeSystemId ?? ''),
        accessProfiles: Array.isArray(body.accessProfiles) ? body.accessProfiles.map(Number) : [],
        profileSelector: body.profileSelector ?? null,
        status: String(body.status ?? 'authorized'),
      };
    },
  };
}
