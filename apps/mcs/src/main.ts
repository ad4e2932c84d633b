// CLI: node --conditions=@mcx/source --import tsx apps/mcs/src/main.ts --config mcs.yaml (or .json)
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { startMcs } from './server.ts';

const USAGE = 'usage: mcs --config <file.yaml|file.json>';

/** `--config FILE`; an unknown option or a missing value exits 2 naming it. */
function options(): { config?: string | undefined; help?: boolean | undefined } {
  try {
    return parseArgs({ strict: true, options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    console.error(`mcs: ${(err as Error).message}\n${USAGE}`);
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
    console.error(`mcs: --config is required\n${USAGE}`);
    process.exit(2);
  }
  const text = await readFile(file, 'utf8');
  const config = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  const mcs = await startMcs({ logger: { level: 'info' }, ...config });
  console.log(JSON.stringify({ msg: 'mcs listening', psi: mcs.psi, sip: mcs.sipUri, sipTcp: mcs.sipTcpUri }));
  const stop = () => void mcs.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
