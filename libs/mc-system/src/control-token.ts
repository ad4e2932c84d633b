/**
 * The lab control secret, one per data directory: the bearer token of the UE host control API
 * (docs/ue-host-api.md "Authentication") and the login secret of the console. Generated once in
 * `<dataDir>/secrets/control-token` (mode 0600, like the admin credentials of admin-credentials.ts)
 * and reused on every start; `mcx` commands read it from there. Our choice (as Jupyter's token):
 * whoever can read the data directory may drive the lab, nobody else.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function controlTokenFile(dataDir: string): string {
  return join(dataDir, 'secrets', 'control-token');
}

/** The control secret of `dataDir`, created (random, 32 bytes, base64url) when absent. */
export function controlTokenOf(dataDir: string): { token: string; file: string; created: boolean } {
  const file = controlTokenFile(dataDir);
  const existing = readControlToken(dataDir);
  if (existing) return { token: existing, file, created: false };
  mkdirSync(join(dataDir, 'secrets'), { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, file, created: true };
}

/** The control secret of `dataDir` when one was generated (a running `mcx up` made it), else undefined. */
export function readControlToken(dataDir: string): string | undefined {
  const file = controlTokenFile(dataDir);
  if (!existsSync(file)) return undefined;
  const token = readFileSync(file, 'utf8').trim();
  return token.length >= 16 ? token : undefined;
}
