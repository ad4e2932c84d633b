// CLI: node --conditions=@mcx/source --import tsx apps/idms/src/main.ts --config idms.yaml
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { startIdms } from './server.ts';

const USAGE = 'usage: idms --config <file.yaml|file.json>';

/** `--config FILE`; an unknown option or a missing value exits 2 naming it. */
function options(): { config?: string | undefined; help?: boolean | undefined } {
  try {
    return parseArgs({ strict: true, options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    console.error(`idms: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

async function main(): Promise<void> {
  const args = options();
  if (args.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const file = args.config;
  if (!file) {
    console.error(`idms: --config is required\n${USAGE}`);
    process.exit(2);
  }
  const text = await readFile(file, 'utf8');
  const config = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  const idms = await startIdms({ logger: { level: 'info' }, ...config });
  const stop = () => void idms.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
