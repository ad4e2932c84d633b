/**
 * After a CSC-17 share or revocation the partner CMS tells its IdMS which users may migrate
 * here, so that the IdMS accepts (or refuses) their token exchange (docs/server-contracts.md,
 * IdMS admin API; TS 23.280 clause 10.17.5 "users authorized to migrate"). The hook is
 * pluggable: an HTTP target from the config, a function in tests, or nothing.
 */
export interface MigrationAuthorizationNotice {
  mcpttId: string;
  homeSystemId: string;
  partnerSystemId: string;
  profileSelector?: string;
  accessProfiles: number[];
}

export interface IdmsMigrationHook {
  authorized(n: MigrationAuthorizationNotice): Promise<void>;
  revoked(n: Pick<MigrationAuthorizationNotice, 'mcpttId' | 'homeSystemId'>): Promise<void>;
}

/** The IdMS admin API: `PUT/DELETE /admin/migration-authorizations/:mcpttId`. */
export function httpIdmsHook(target: { url: string; adminToken: string }): IdmsMigrationHook {
  const base = target.url.replace(/\/$/, '');
  const headers = { authorization: `Bearer ${target.adminToken}`, 'content-type': 'application/json' };
  async function call(method: string, url: string, body?: unknown): Promise<void> {
    const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) throw new Error(`IdMS ${method} ${url}: HTTP ${res.status}`);
  }
  return {
    authorized: (n) =>
      call('PUT', `${base}/admin/migration-authorizations/${encodeURIComponent(n.mcpttId)}`, {
        homeSystemId: n.homeSystemId,
        partnerSystemId: n.partnerSystemId,
        ...(n.profileSelector ? { profileSelector: n.profileSelector } : {}),
        accessProfiles: n.accessProfiles,
      }),
    revoked: (n) => call('DELETE', `${base}/admin/migration-authorizations/${encodeURIComponent(n.mcpttId)}?home=${encodeURIComponent(n.homeSystemId)}`),
  };
}

export const noIdmsHook: IdmsMigrationHook = { authorized: async () => undefined, revoked: async () => undefined };
