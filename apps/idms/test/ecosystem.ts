// Test/bench fixture: the IdMSs of two MC systems (primary mcx-a, partner mcx-b) on loopback,
// composed by @mcx/mc-system as `mcx up` composes them (production audiences, trust and
// introspection both ways), each on its own throw-away database.
import type { Database } from '@mcx/db';
import { introspectionSecret, labEcosystem, startMcSystems, testDatabaseSetting, UE_CLIENT as UE_CLIENT_CONTRACT, type Audiences } from '@mcx/mc-system';
import { startIdms, type IdmsHandle, type IdmsConfigInput } from '../src/index.ts';
import { authorizeMigration } from '../src/migration/authorizations.ts';

export const UE_CLIENT = UE_CLIENT_CONTRACT.clientId;
export const REDIRECT_URI = UE_CLIENT_CONTRACT.redirectUri;
export const LEGACY_CLIENT = 'legacy-ue';
export const PASSWORD = 'correct horse battery staple';

export interface Ecosystem {
  a: IdmsHandle;
  b: IdmsHandle;
  dbA: Database;
  dbB: Database;
  /** The `aud` values of each system's resource servers (the production contract). */
  audiences: Record<'mcx-a' | 'mcx-b', Audiences>;
  /** The client secret IdMS-B presents when it introspects at IdMS-A (RFC 7662). */
  introspectionSecretOfB: string;
  close(): Promise<void>;
}

const profiles = [{ index: 1, name: 'home', preSelected: true }];

export async function startEcosystem(options: Pick<IdmsConfigInput, 'accessTokenTtl' | 'migrationTokenTtl'> & { scryptCost?: number } = {}): Promise<Ecosystem> {
  const cost = options.scryptCost ?? 1024;
  const systems = await startMcSystems({
    ecosystem: labEcosystem({
      users: [
        { username: 'alice', password: PASSWORD, mcpttId: 'sip:alice@mcx-a.example', mcdataId: 'sip:alice.data@mcx-a.example', displayName: 'Alice', home: 'mcx-a', entitlements: ['mcptt', 'mcdata'], profiles },
        { username: 'carol', password: PASSWORD, mcpttId: 'sip:carol@mcx-a.example', home: 'mcx-a', profiles },
        // bob has an account but no MC entitlement: no MC scopes for him (TS 24.482 / TS 33.180 B.3).
        { username: 'bob', password: PASSWORD, mcpttId: 'sip:bob@mcx-a.example', home: 'mcx-a', entitlements: [], profiles },
      ],
      groups: [],
    }),
    servers: { idms: startIdms },
    database: testDatabaseSetting(),
    throwAwayDatabases: true,
    ephemeralPorts: true,
    scryptCost: cost,
    overrides: { idms: () => ({ ...options }) },
  });
  const a = systems.system('mcx-a');
  const b = systems.system('mcx-b');
  // A client not registered for token exchange (RFC 8693 -> unauthorized_client).
  await b.idms.reconfigure({
    clients: [...b.idms.config().clients, { client_id: LEGACY_CLIENT, redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'] }],
  });
  // What CSC-17 sharing would record at IdMS-B (no CMS runs here): alice may migrate with profile 1.
  await authorizeMigration(b.idms.db, { partnerSystemId: 'mcx-b', homeSystemId: 'mcx-a', mcpttId: 'sip:alice@mcx-a.example', accessProfiles: [1] });
  return {
    a: a.idms,
    b: b.idms,
    dbA: a.idms.db,
    dbB: b.idms.db,
    audiences: { 'mcx-a': a.audiences, 'mcx-b': b.audiences },
    introspectionSecretOfB: introspectionSecret({ id: 'mcx-b', adminToken: b.admin.token }, { id: 'mcx-a', adminToken: a.admin.token }),
    close: () => systems.close(),
  };
}
