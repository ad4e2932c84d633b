/**
 * Writes the two provider schemas from the repository's prisma/models.prisma (beside apps/ and
 * libs/) and runs `prisma generate` for each into this package's src/generated/<provider>.
 * A datasource provider must be a literal, so one models file feeds two schemas
 * (docs/toolchain.md, "Prisma offline").
 * Works offline: PRISMA_SCHEMA_ENGINE_BINARY names an existing file so the CLI downloads nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROVIDERS = ['sqlite', 'postgresql'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** The repository's top-level prisma/ folder: models.prisma, migrations/, the generated schemas. */
export const prismaDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'prisma');

export function schemaPath(provider: Provider): string {
  return join(prismaDir, `schema.${provider}.prisma`);
}

/**
 * The query compiler's WebAssembly build (Prisma 7 `compilerBuild`): "small" (issue #14, memory).
 * Every process that opens a database holds the module as base64 twice in its heap (the module's
 * source and the string), and no hot path compiles a query (docs/performance.md "Fourth round"):
 * 4.4 MB less heap per process than "fast", and less to compile at start.
 */
const COMPILER_BUILD = 'small';

export function schemaText(provider: Provider): string {
  const models = readFileSync(join(prismaDir, 'models.prisma'), 'utf8');
  return `// GENERATED from prisma/models.prisma by libs/db/scripts/schemas.ts (npm run db:generate). Do not edit.
generator client {
  provider               = "prisma-client"
  output                 = "../libs/db/src/generated/${provider}"
  moduleFormat           = "esm"
  runtime                = "nodejs"
  compilerBuild          = "${COMPILER_BUILD}"
  importFileExtension    = "ts"
}

datasource db {
  provider = "${provider}"
}

${models}`;
}

export function writeSchemas(): void {
  for (const provider of PROVIDERS) writeFileSync(schemaPath(provider), schemaText(provider));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeSchemas();
  for (const provider of PROVIDERS) {
    execFileSync('npx', ['prisma', 'generate', '--schema', schemaPath(provider)], {
      stdio: 'inherit',
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
    });
  }
}
