// CLI: node --conditions=@mcx/source --import tsx apps/ue/src/main.ts --config ue-host.yaml (or .json)
// The file holds startUeHost's options (src/config/config.ts) plus `ues: [{ id, user, plmn? }]` to start.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { startUeHost } from './host/ue-host.ts';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--config');
  const file = at >= 0 ? args[at + 1] : undefined;
  if (!file) {
    console.error('usage: ue-host --config <file.yaml|file.json>');
    process.exit(2);
  }
  const text = await readFile(file, 'utf8');
  const { ues = [], ...config } = (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as { ues?: { id?: string; user: string; plmn?: string }[] } & Record<string, unknown>;
  const host = await startUeHost({ logger: { level: 'info' }, ...(config as Parameters<typeof startUeHost>[0]) });
  for (const ue of ues) host.createUe(ue);
  console.log(JSON.stringify({ msg: 'ue host listening', url: host.url, sip: host.endpoint.uri('udp'), ues: ues.length }));
  const stop = () => void host.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
