// Benchmark (prints JSON): code+PKCE logins per second and token-exchange grants per second on
// one process (primary and partner IdMS in-process, embedded SQLite), with p50/p99 latency.
// Usage: npm run bench -w @mcx/idms [-- --logins 200 --exchanges 1000 --concurrency 8 --scrypt 32768]
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { discoverIdms, exchangeToken, loginWithPkce, refreshForResource } from '@mcx/auth';
import { PASSWORD, REDIRECT_URI, startEcosystem, UE_CLIENT } from '../test/ecosystem.ts';
import { upsertAccount } from '../src/index.ts';

const USAGE = 'usage: idms.bench.ts [--logins N] [--exchanges N] [--concurrency N] [--scrypt N]';
const { values: options } = (() => {
  try {
    return parseArgs({
      strict: true,
      options: {
        logins: { type: 'string', default: '200' },
        exchanges: { type: 'string', default: '1000' },
        concurrency: { type: 'string', default: '8' },
        scrypt: { type: 'string', default: String(2 ** 15) },
      },
    });
  } catch (err) {
    console.error(`idms bench: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
})();
function positiveInteger(name: keyof typeof options): number {
  const n = Number(options[name]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`idms bench: --${name} takes a positive integer, not "${options[name]}"\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

async function run(total: number, concurrency: number, op: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(2));
  return { count: total, concurrency, seconds: Number(seconds.toFixed(2)), perSecond: Number((total / seconds).toFixed(1)), p50ms: pct(50), p99ms: pct(99) };
}

const logins = positiveInteger('logins');
const exchanges = positiveInteger('exchanges');
const concurrency = positiveInteger('concurrency');
const scrypt = positiveInteger('scrypt');

const eco = await startEcosystem();
try {
  // The benchmark account uses the production scrypt cost.
  await upsertAccount(eco.dbA, { username: 'alice', password: PASSWORD, mcpttId: 'sip:alice@mcx-a.example', entitlements: ['mcptt'], scryptCost: scrypt });
  const configA = await discoverIdms(eco.a.issuer, UE_CLIENT);
  const configB = await discoverIdms(eco.b.issuer, UE_CLIENT);
  const login = () => loginWithPkce({ issuer: eco.a.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username: 'alice', password: PASSWORD, configuration: configA });
  await login(); // warm-up
  const loginResult = await run(logins, concurrency, login);

  const first = await login();
  const migration = await refreshForResource({ issuer: eco.a.issuer, clientId: UE_CLIENT, refreshToken: first.refreshToken!, resource: eco.b.issuer, configuration: configA });
  const exchange = () => exchangeToken({ partnerIssuer: eco.b.issuer, clientId: UE_CLIENT, subjectToken: migration.accessToken, configuration: configB });
  await exchange();
  const exchangeResult = await run(exchanges, concurrency * 2, exchange);

  console.log(
    JSON.stringify(
      {
        bench: 'idms',
        node: process.version,
        scryptCost: scrypt,
        codePkceLogin: loginResult,
        tokenExchange: exchangeResult,
      },
      null,
      2,
    ),
  );
} finally {
  await eco.close();
}
