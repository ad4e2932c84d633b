/**
 * CLI entry: `node --conditions=@mcx/source --import tsx apps/cms/src/main.ts --config cms.yaml`
 * (JSON or YAML, the schema of src/config/config.ts). Optional `--seed seed.json` seeds after start.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { startCms } from './server.ts';
import type { CmsSeed } from './seed/seed.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function readConfigFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
}

const configPath = arg('--config');
if (!configPath) {
  console.error('usage: main.ts --config <cms.yaml|cms.json> [--seed <seed.json|yaml>]');
  process.exit(2);
}
const config = readConfigFile(configPath) as Record<string, unknown>;
const cms = await startCms({ logger: { level: 'info' }, ...config } as Parameters<typeof startCms>[0]);
const seedPath = arg('--seed');
if (seedPath) console.log(JSON.stringify(await cms.seed(readConfigFile(seedPath) as CmsSeed)));
console.log(JSON.stringify({ httpUrl: cms.httpUrl, xcapRoot: cms.xcapRoot, sipUri: cms.sipUri, sipTcpUri: cms.sipTcpUri, psi: cms.psi }));
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void cms.close().then(() => process.exit(0));
  });
}
