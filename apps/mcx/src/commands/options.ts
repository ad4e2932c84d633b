/** Options shared by the commands: which ecosystem file, and where its data directory is. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEcosystem, type Ecosystem } from '@mcx/ecosystem';
import { trustLabCa } from '@mcx/lab-ca';
import { readRuntime, type RuntimeEndpoints } from '../ecosystem/runtime-file.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** --config, else $MCX_CONFIG, else ./ecosystem.yaml, else the repository's ecosystem.yaml. */
export function configPath(option?: string): string {
  const candidates = [
    option,
    process.env.MCX_CONFIG,
    resolve('ecosystem.yaml'),
    resolve(REPO_ROOT, 'ecosystem.yaml'),
  ];
  for (const c of candidates) if (c && existsSync(c)) return resolve(c);
  throw new Error(
    `no ecosystem file found (tried ${candidates.filter(Boolean).join(', ')}); pass --config FILE`,
  );
}

export interface Loaded {
  file: string;
  ecosystem: Ecosystem;
  /** Absolute data directory (relative paths in the file are relative to the file). */
  dataDir: string;
}

export function load(option?: string): Loaded {
  const file = configPath(option);
  const ecosystem = loadEcosystem(file);
  const dataDir = isAbsolute(ecosystem.dataDir)
    ? ecosystem.dataDir
    : resolve(dirname(file), ecosystem.dataDir);
  // The commands talk to the https endpoints of the running ecosystem: trust its lab CA (mcx up made it).
  const caPath = join(dataDir, 'tls', 'ca.pem');
  if (existsSync(caPath)) trustLabCa(readFileSync(caPath, 'utf8'));
  return { file, ecosystem, dataDir };
}

export function running(loaded: Loaded): RuntimeEndpoints {
  const runtime = readRuntime(loaded.dataDir);
  if (!runtime)
    throw new Error(`no running ecosystem for ${loaded.file} (start one with: npm start, or mcx up)`);
  return runtime;
}
