// CLI: node --conditions=@mcx/source --import tsx apps/ue/src/main.ts --config ue-host.yaml (or .json)
// The file holds startUeHost's options (src/config/config.ts) plus `ues: [{ id, user, plmn? }]` to start.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { startUeHost } from './host/ue-host.ts';

const USAGE = 'usage: ue-host --config <file.yaml|file.json>';

/** `--config FILE`; an unknown option or a missing value exits 2 naming it. */
function options(): { config?: string | undefined; help?: boolean | undefined } {
  try {
    return parseArgs({ strict: true, options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (err) {
    console.error(`ue-host: ${(err as Error).message}\n${USAGE}`);
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
    console.error(`ue-host: --config is required\n${USAGE}`);
    process.exit(2);
  }
  const text = await readFile(file, 'utf8');
  const { ues = [], ...config } = (file.endsWith('.json') ? JSON.parse(text) : parse(text)) as { ues?: { id?: string; user: string; plmn?: string }[] } & Record<string, unknown>;
  const host = await startUeHost({ logger: { level: 'info' }, ...(config as Parameters<typeof startUeHost>[0]) });
  for (const ue of ues) host.createUe(ue);
  // The control API's bearer secret is not printed: it is in the file (or <dataDir>/control-token).
  console.log(JSON.stringify({ msg: 'ue host listening', url: host.url, sip: host.endpoint.uri('udp'), ues: ues.length, controlToken: config['controlToken'] ? 'from the config file' : `${String(config['dataDir'])}/control-token` }));
  const stop = () => void host.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
