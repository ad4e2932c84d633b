/**
 * Runs one GMS from a configuration file (YAML or JSON, the schema of src/config/config.ts),
 * optionally seeding groups: `node --conditions=@mcx/source --import tsx apps/gms/src/main.ts
 * --config gms.yaml [--seed groups.yaml]`.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { startGms } from './server.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const configPath = arg('config');
if (configPath === undefined) {
  console.error('usage: main.ts --config <gms.yaml|json> [--seed <groups.yaml|json>]');
  process.exit(2);
}
const gms = await startGms(parse(readFileSync(configPath, 'utf8')) as never);
const seedPath = arg('seed');
if (seedPath !== undefined) console.log(JSON.stringify(await gms.seed(parse(readFileSync(seedPath, 'utf8')) as never)));
console.log(JSON.stringify({ httpUrl: gms.httpUrl, xcapRoot: gms.xcapRoot, adminUrl: gms.adminUrl, sipUri: gms.sipUri, sipTcpUri: gms.sipTcpUri, psi: gms.psi }));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void gms.close().then(() => process.exit(0)));
}
