#!/usr/bin/env node
// Launcher: runs mcx from the JavaScript that scripts/build-dist.mjs transpiles into each
// workspace's dist/ and bundles into apps/mcx/dist/bundle/ (npm install builds it; a source newer
// than the last build makes this launcher build again first, about 1-3 s), so a start does not
// transpile the code base. MCX_FROM_SOURCE=1
// (or NODE_OPTIONS carrying --conditions=@mcx/source) runs the TypeScript sources through tsx with
// the "@mcx/source" condition instead, as the tests do.
// Signals are forwarded to mcx (which stops once, however many arrive); the IPC channel tells it
// when this launcher is gone without one (SIGKILL), so it never outlives its launcher, and tells
// this launcher when mcx has stopped cleanly: a signal that kills it after that (a Ctrl-C landing
// while Node tears the process down) does not change the exit code.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

async function commandLine() {
  // A process started with the "@mcx/source" condition in NODE_OPTIONS (the Playwright suite) would
  // resolve the workspace packages to their TypeScript sources from dist/ too: run the sources then.
  if (process.env.MCX_FROM_SOURCE === '1' || /--conditions[= ]@mcx\/source/.test(process.env.NODE_OPTIONS ?? '')) {
    const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    return ['--conditions=@mcx/source', '--import', 'tsx', '--no-warnings=ExperimentalWarning', main];
  }
  const dist = await import('../../../scripts/build-dist.mjs');
  const files = dist.sources();
  if (!dist.isFresh(files) || !dist.bundleEntry()) await dist.build(files);
  // The bundle (one module graph of the workspace code, not some 390 modules loaded one by one).
  return ['--no-warnings=ExperimentalWarning', dist.bundleEntry() ?? fileURLToPath(new URL('../dist/main.js', import.meta.url))];
}

/**
 * V8 flags of every mcx process (the processes it forks inherit them). Our choice, measured on
 * `mcx bench migration --ues 1000` and on an idle `mcx up` (issue #14, docs/performance.md "Fourth
 * round"): `--liftoff-only` keeps WebAssembly (Prisma's query compiler, undici's HTTP parser) on
 * V8's baseline compiler. Optimizing the query compiler's module took about 100 MB of malloc at
 * start that glibc kept afterwards (idle `mcx up`: 252 -> 184 MB RSS, and "Ready" sooner). The one
 * WebAssembly on a hot path, undici's response parser in the UE host, showed no difference in CPU
 * per migration (two alternating pairs, within the noise).
 *
 * `--max-semi-space-size=64` (MB; V8's default is 16): a young generation that holds a burst of
 * short-lived objects, such as the 5,000 NOTIFY transactions of a change of a 5,000-member group,
 * without scavenging and promoting them over and over. `mcx bench gms --members 5000`, the first
 * (cold) change: last NOTIFY answered 984-992 -> 753-755 ms after the admin change, the admin request
 * 338-362 -> 212-238 ms (two alternating pairs). The UE host processes are forked without it
 * (ecosystem/ue-host-processes.ts): it added 80-115 MB to their peak RSS over `mcx bench migration
 * --ues 1000`, for no CPU measured.
 *
 * Not set: `--max-old-space-size`. Under 2 GB V8 scales down how far the old generation may grow
 * between full GCs; 1536 brings the 1,000-UE bench under 800 MB of peak RSS but costs more CPU the
 * more UEs there are (+13 % per migration at 1,000, +66 % at 3,000). A memory-bound demo can set it
 * in NODE_OPTIONS, or better run with MCX_MEMORY=lean (below), which sets no ceiling.
 */
const V8_FLAGS = ['--liftoff-only', '--max-semi-space-size=64'];

/**
 * `MCX_MEMORY=lean`: less memory for more CPU, for a demo or a lab host where memory is what runs
 * out (our choice, measured on `mcx bench migration`, issue #14, docs/performance.md "Ninth round").
 * `--heap-growing-percent=50` lets V8's old generation grow to 1.5 times what survived the last
 * full GC instead of up to about 4 times, and the MC systems' young generation is 32 MB a
 * semi-space instead of 64. At 1,000 UEs: peak RSS of all processes about 760 MB instead of
 * about 1,000 MB, for about 16 % more CPU per migration. Unlike `--max-old-space-size` it lowers
 * no ceiling: a larger load costs more GC, not a crash at a limit chosen for a smaller one. The
 * growth factor alone, with 64 MB semi-spaces, cost about as much CPU for about 80 MB more ("Tenth
 * round"), hence both. V8 refuses `--heap-growing-percent` in NODE_OPTIONS, hence this switch.
 * `MCX_MEMORY=fast` (or unset) is the default above.
 */
const MEMORY_MODES = {
  fast: V8_FLAGS,
  lean: [...V8_FLAGS.filter((f) => !f.startsWith('--max-semi-space-size=')), '--max-semi-space-size=32', '--heap-growing-percent=50'],
};
const memory = process.env.MCX_MEMORY || 'fast';
if (!Object.hasOwn(MEMORY_MODES, memory)) {
  process.stderr.write(`mcx: MCX_MEMORY=${memory} is not a memory mode: use ${Object.keys(MEMORY_MODES).join(' or ')}\n`);
  process.exit(2);
}

// When this launcher started: `mcx up` counts its "Ready in" from here.
const launchedAt = String(Math.round(performance.timeOrigin));
const child = spawn(process.execPath, [...MEMORY_MODES[memory], ...(await commandLine()), ...process.argv.slice(2)], {
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  // glibc keeps freed memory in up to 8 malloc arenas per core, one per thread that allocates (the
  // libuv pool, V8's platform threads, the SQLite writer threads): two bound what a process holds on
  // to (issue #14: about 90 MB less peak RSS over `mcx bench migration --ues 1000`, same CPU;
  // docs/performance.md). Forked processes inherit it; a value in the environment wins. Our choice.
  env: { MALLOC_ARENA_MAX: '2', ...process.env, MCX_LAUNCHED_AT: launchedAt },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
let stopped;
child.on('message', (message) => {
  if (message?.mcx === 'stopped' && Number.isInteger(message.code)) stopped = message.code;
});
child.on('exit', (code, signal) =>
  process.exit(stopped ?? code ?? (signal ? 128 + (constants.signals[signal] ?? 15) : 1)),
);
