// CLI: node --conditions=@mcx/source --import tsx apps/idms/src/main.ts --config idms.yaml
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { startIdms } from './server.ts';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--config');
  const file = at >= 0 ? args[at + 1] : undefined;
  if (!file) {
    console.error('usage: idms --config <file.yaml|file.json>');
    process.exit(2);
  }
  const text = await readFile(file, 'utf8');
  const config = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  const idms = await startIdms(config, { log: (msg, data) => console.log(JSON.stringify({ msg, ...data })) });
  const stop = () => void idms.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
