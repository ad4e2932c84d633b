/**
 * CLI entry: `node --conditions=@mcx/source --import tsx apps/cms/src/main.ts --config cms.yaml`
 * (JSON or YAML, the schema of src/config/config.ts). Optional `--seed seed.json` seeds after start.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { startCms } from './server.ts';
import type { CmsSeed } from './seed/seed.ts';

const USAGE = 'usage: main.ts --config <cms.yaml|cms.json> [--seed <seed.json|yaml>]';

/** `--config FILE [--seed FILE]`; an unknown option or a missing value exits 2 naming it. */
function options(): { config?: string | undefined; seed?: string | undefined; help?: boolean | undefined } {
  try {
    return parseArgs({ strict: true, options: { config: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    console.error(`cms: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

function readConfigFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
}

const args = options();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const configPath = args.config;
if (!configPath) {
  console.error(`cms: --config is required\n${USAGE}`);
  process.exit(2);
}
const config = readConfigFile(configPath) as Record<string, unknown>;
const cms = await startCms({ logger: { level: 'info' }, ...config } as Parameters<typeof startCms>[0]);
const seedPath = args.seed;
if (seedPath) console.log(JSON.stringify(await cms.seed(readConfigFile(seedPath) as CmsSeed)));
console.log(JSON.stringify({ httpUrl: cms.httpUrl, xcapRoot: cms.xcapRoot, sipUri: cms.sipUri, sipTcpUri: cms.sipTcpUri, psi: cms.psi }));
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void cms.close().then(() => process.exit(0));
  });
}
