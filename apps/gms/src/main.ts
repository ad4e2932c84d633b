/**
 * Runs one GMS from a configuration file (YAML or JSON, the schema of src/config/config.ts),
 * optionally seeding groups: `node --conditions=@mcx/source --import tsx apps/gms/src/main.ts
 * --config gms.yaml [--seed groups.yaml]`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { startGms } from './server.ts';

const USAGE = 'usage: main.ts --config <gms.yaml|json> [--seed <groups.yaml|json>]';

/** `--config FILE [--seed FILE]`; an unknown option or a missing value exits 2 naming it. */
function options(): { config?: string | undefined; seed?: string | undefined; help?: boolean | undefined } {
  try {
    return parseArgs({ strict: true, options: { config: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    console.error(`gms: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const args = options();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const configPath = args.config;
if (configPath === undefined) {
  console.error(`gms: --config is required\n${USAGE}`);
  process.exit(2);
}
const gms = await startGms(parse(readFileSync(configPath, 'utf8')) as never);
const seedPath = args.seed;
if (seedPath !== undefined) console.log(JSON.stringify(await gms.seed(parse(readFileSync(seedPath, 'utf8')) as never)));
console.log(JSON.stringify({ httpUrl: gms.httpUrl, xcapRoot: gms.xcapRoot, adminUrl: gms.adminUrl, sipUri: gms.sipUri, sipTcpUri: gms.sipTcpUri, psi: gms.psi }));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void gms.close().then(() => process.exit(0)));
}
