/**
 * Admin credentials, one per MC system, as two operators would have: the bearer token of the CMS,
 * GMS and IdMS admin APIs and of CSC-17 sharing. When the ecosystem file gives none, a random
 * secret is generated once per data directory (`<dataDir>/secrets/<system>-admin-token`, mode 0600)
 * and reused on every start; `mcx` commands read it from there. Our choice: there is no default
 * credential, so a lab that forgets to set one never runs with a guessable secret.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function adminTokenFile(dataDir: string, systemId: string): string {
  return join(dataDir, 'secrets', `${systemId}-admin-token`);
}

/** The admin token of `systemId`: the configured one, or the one generated for this data directory. */
export function adminTokenOf(dataDir: string, systemId: string, configured: string | undefined): { token: string; file?: string; created: boolean } {
  if (configured) return { token: configured, created: false };
  const file = adminTokenFile(dataDir, systemId);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 8) return { token, file, created: false };
  }
  mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, file, created: true };
}
