// CLI: node --conditions=@mcx/source --import tsx apps/mcs/src/main.ts --config mcs.yaml (or .json)
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { startMcs } from './server.ts';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--config');
  const file = at >= 0 ? args[at + 1] : undefined;
  if (!file) {
    console.error('usage: mcs --config <file.yaml|file.json>');
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
