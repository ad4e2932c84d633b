// Test/bench fixture: two IdMSs (primary mcx-a, partner mcx-b) on loopback, each with its own
// embedded SQLite database in a temp dir, trusting each other for migration.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '@mcx/db';
import { startIdms, type IdmsHandle, type IdmsConfigInput } from '../src/index.ts';
import { upsertAccount } from '../src/accounts/accounts.ts';
import { authorizeMigration } from '../src/migration/authorizations.ts';

export const UE_CLIENT = 'mcx-ue';
export const REDIRECT_URI = 'http://127.0.0.1/mcx-ue/callback';
export const LEGACY_CLIENT = 'legacy-ue';
export const PASSWORD = 'correct horse battery staple';
const PARTNER_SECRET = 'partner-introspection-secret';

export function audiences(systemId: string) {
  return { cms: `urn:mcx:${systemId}:cms`, gms: `urn:mcx:${systemId}:gms`, mcs: `urn:mcx:${systemId}:mcs` };
}

function baseConfig(systemId: string, extra: Partial<IdmsConfigInput> = {}): IdmsConfigInput {
  return {
    systemId,
    audiences: audiences(systemId),
    clients: [{ client_id: UE_CLIENT, redirect_uris: [REDIRECT_URI] }],
    // Low scrypt cost keeps the suite fast; production default is 2^15.
    scryptCost: 1024,
    ...extra,
  };
}

export interface Ecosystem {
  a: IdmsHandle;
  b: IdmsHandle;
  dbA: Database;
  dbB: Database;
  close(): Promise<void>;
}

export async function startEcosystem(options: { accessTokenTtl?: number; migrationTokenTtl?: number; scryptCost?: number } = {}): Promise<Ecosystem> {
  const dir = mkdtempSync(join(tmpdir(), 'mcx-idms-'));
  const dbA = await openDatabase({ dataDir: dir, name: 'mcx-a-idms' });
  const dbB = await openDatabase({ dataDir: dir, name: 'mcx-b-idms' });
  const extra = { ...options };
  const a = await startIdms(baseConfig('mcx-a', extra), { db: dbA });
  const b = await startIdms(baseConfig('mcx-b', extra), { db: dbB });
  const ue = { client_id: UE_CLIENT, redirect_uris: [REDIRECT_URI] };
  // Each IdMS registers the other as a confidential client (for introspection) and trusts it as a partner.
  await a.reconfigure({
    clients: [ue, { client_id: 'idms-mcx-b', client_secret: PARTNER_SECRET }],
    partners: [{ systemId: 'mcx-b', issuer: b.issuer, introspection: { clientId: 'idms-mcx-a', clientSecret: PARTNER_SECRET } }],
  });
  await b.reconfigure({
    clients: [
      ue,
      { client_id: 'idms-mcx-a', client_secret: PARTNER_SECRET },
      // A client not registered for token exchange (RFC 8693 -> unauthorized_client).
      { client_id: LEGACY_CLIENT, redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'] },
    ],
    partners: [{ systemId: 'mcx-a', issuer: a.issuer, introspection: { clientId: 'idms-mcx-b', clientSecret: PARTNER_SECRET } }],
  });
  const cost = options.scryptCost ?? 1024;
  await upsertAccount(dbA, {
    username: 'alice',
    password: PASSWORD,
    mcpttId: 'sip:alice@mcx-a.example',
    mcdataId: 'sip:alice.data@mcx-a.example',
    displayName: 'Alice',
    entitlements: ['mcptt', 'mcdata'],
    scryptCost: cost,
  });
  await upsertAccount(dbA, { username: 'carol', password: PASSWORD, mcpttId: 'sip:carol@mcx-a.example', entitlements: ['mcptt'], scryptCost: cost });
  // bob has an account but no MC entitlement (no MC scopes for non-MC users: our choice).
  await upsertAccount(dbA, { username: 'bob', password: PASSWORD, mcpttId: 'sip:bob@mcx-a.example', entitlements: [], scryptCost: cost });
  await authorizeMigration(dbB, { partnerSystemId: 'mcx-b', homeSystemId: 'mcx-a', mcpttId: 'sip:alice@mcx-a.example', accessProfiles: [1] });
  return {
    a,
    b,
    dbA,
    dbB,
    async close() {
      await a.close();
      await b.close();
      await dbA.close();
      await dbB.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
