// CPU per migration authentication (prints JSON): the two RFC 8693 token exchanges a migrating UE
// makes (TS 33.180 annex B.7 at the primary IdMS, then TS 24.484 clause 4.2.2.1.2.1 at the
// partner IdMS), client and both servers in this one process (embedded SQLite), each pair on a
// primary access token of its own (as each UE of `mcx bench migration` has), so nothing is
// verified twice. CPU is process.cpuUsage(): the main thread and libuv's pool (RS256 signing).
//   node --conditions=@mcx/source --import tsx apps/idms/bench/exchange-cpu.ts [--pairs 500] [--concurrency 16] [--rounds 3] [--profile F.cpuprofile]
// --profile: a V8 CPU profile of the measured exchanges of the last round only (not the logins).
import { parseArgs } from 'node:util';
import { discoverIdms, exchangeForPartnerIdms, exchangeToken, loginWithPkce, type McTokens } from '@mcx/auth';
import { startV8Profile } from '@mcx/v8-profile';
import { PASSWORD, REDIRECT_URI, startEcosystem, UE_CLIENT } from '../test/ecosystem.ts';

const { values } = parseArgs({
  strict: true,
  options: { pairs: { type: 'string', default: '500' }, concurrency: { type: 'string', default: '16' }, rounds: { type: 'string', default: '3' }, profile: { type: 'string' } },
});
const pairs = Number(values.pairs);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
for (const [name, n] of Object.entries({ pairs, concurrency, rounds })) {
  if (!Number.isInteger(n) || n < 1) {
    console.error(`exchange-cpu: --${name} takes a positive integer`);
    process.exit(2);
  }
}

async function pool<T>(items: T[], op: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await op(items[next++]!);
  }));
}

const eco = await startEcosystem();
try {
  const configA = await discoverIdms(eco.a.issuer, UE_CLIENT);
  const configB = await discoverIdms(eco.b.issuer, UE_CLIENT);
  const pair = async (primary: McTokens): Promise<void> => {
    const m = await exchangeForPartnerIdms({ issuer: eco.a.issuer, clientId: UE_CLIENT, subjectToken: primary.accessToken, partnerIssuer: eco.b.issuer, configuration: configA, fetch });
    await exchangeToken({ partnerIssuer: eco.b.issuer, clientId: UE_CLIENT, subjectToken: m.accessToken, configuration: configB, fetch });
  };
  const login = () => loginWithPkce({ issuer: eco.a.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username: 'alice', password: PASSWORD, configuration: configA });
  const results: number[] = [];
  for (let round = 0; round <= rounds; round += 1) {
    // Fresh primary access tokens (one per pair), not measured.
    const tokens: McTokens[] = [];
    await pool(Array.from({ length: round === 0 ? 50 : pairs }, (_, i) => i), async () => void tokens.push(await login()));
    const profiler = values.profile && round === rounds ? await startV8Profile(values.profile) : undefined;
    const t0 = process.cpuUsage();
    await pool(tokens, pair);
    const cpu = process.cpuUsage(t0);
    await profiler?.stop();
    if (round > 0) results.push((cpu.user + cpu.system) / 1000 / tokens.length); // round 0 warms up
  }
  results.sort((x, y) => x - y);
  console.log(JSON.stringify({
    bench: 'idms-exchange-cpu',
    pairs,
    concurrency,
    cpu_ms_per_pair: results.map((r) => Number(r.toFixed(3))),
    median_cpu_ms_per_pair: Number(results[Math.floor(results.length / 2)]!.toFixed(3)),
  }));
} finally {
  await eco.close();
}
