// Migration benchmark: `npm run bench -w @mcx/ue -- --ues 100 [--url http://127.0.0.1:7001 --token SECRET] [--json]`.
// --token (default $MCX_CONTROL_TOKEN): the host's control secret (`mcx up`'s is <dataDir>/secrets/control-token).
// Without --url it starts two MC systems (test/two-systems.ts) and a UE host in this process.
// Prints JSON: ues, ok, failed, wall_ms, p50_ms, p99_ms (per-UE PLMN change → configured in B), peak memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runMigrationBench, startUeHost } from '../src/index.ts';
import { startTwoSystems, UE_CLIENT, USERS } from '../test/two-systems.ts';

const { values } = parseArgs({ options: { ues: { type: 'string', default: '100' }, url: { type: 'string' }, json: { type: 'boolean' }, user: { type: 'string' }, plmn: { type: 'string' }, token: { type: 'string' } } });
const n = Number(values.ues);
const quiet = values.json === true;
const progress = quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);

let url = values.url;
let token = values.token ?? process.env['MCX_CONTROL_TOKEN'];
let stop = async () => undefined as void;
if (!url) {
  const sys = await startTwoSystems();
  const dataDir = mkdtempSync(join(tmpdir(), 'mcx-ue-bench-'));
  const host = await startUeHost({ dataDir, systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT, messageLog: { perUe: 40, maxBody: 2048 } });
  url = host.url;
  token = host.controlToken;
  stop = async () => {
    await host.close();
    await sys.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
try {
  const result = await runMigrationBench({ ueHostUrl: url, ...(token ? { ueHostToken: token } : {}), n, ...(values.user ? { user: values.user } : {}), ...(values.plmn ? { partnerPlmn: values.plmn } : {}), ...(progress ? { progress } : {}) });
  process.stdout.write(`${JSON.stringify({ bench: 'migration', ...result, peak_rss_mb: Math.round(result.peak_rss_bytes / 1048576) }, null, quiet ? 0 : 2)}\n`);
} finally {
  await stop();
}
