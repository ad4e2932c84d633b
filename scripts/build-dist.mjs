#!/usr/bin/env node
/**
 * Transpiles every workspace's TypeScript sources (libs/* /src, apps/* /src) to JavaScript in that
 * workspace's dist/ (the path the packages' `default` export condition names), file by file with
 * esbuild: types are erased, nothing is type-checked (`npm run typecheck` does that) and nothing
 * is bundled, so every `import.meta.url`-relative path (XSDs, migrations, worker modules, the
 * console's UI) resolves from dist/ as from src/. Relative `.ts` imports become `.js`, as tsc's
 * rewriteRelativeImportExtensions does.
 *
 * Why (our choice): `mcx` (bin/mcx.js) runs the JavaScript, so a start does not transpile the
 * whole code base through tsx; `npm install` runs this once (postinstall) and bin/mcx.js runs it
 * again when a source is newer than the last build (`isFresh`), so a start never runs stale code.
 * Tests do not use dist/: they resolve the `@mcx/source` condition to the sources.
 *
 * Then the command line (apps/mcx/src/main.ts) is also bundled, with every module it reaches, into
 * apps/mcx/dist/bundle/ (esbuild, ES modules with code splitting, so a command's module still loads
 * only when the command runs), and bin/mcx.js runs that: Node 20 has no compile cache and loads
 * the some 1,400 modules of `mcx up` one by one otherwise (resolving, reading, compiling and
 * linking each); the bundle takes about a quarter off the start's CPU (issue #14). Every
 * `import.meta.url` of a workspace module is rewritten (textually) to the URL of that module's file
 * in its workspace's dist/, so the paths found from it (XSDs, migrations, worker modules, the
 * console's UI, the repository root) are the ones the per-file build resolves; worker threads run
 * the per-file build, system processes (`--processes per-system`) the bundle. The packages in
 * EXTERNAL stay imports of node_modules (see there why). The bundle holds third-party code, so an
 * `npm install` (node_modules/.package-lock.json) makes the build stale too.
 *
 * Each file is written to a temporary name and renamed, and the stamp is written last, so two
 * launchers building at once leave whole files behind. The bundle's chunks are named by their
 * content hash and are not removed by the next build (a running mcx may still import one), except
 * those no build referenced for a day.
 *
 * Usage: node scripts/build-dist.mjs [--if-stale]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampOf = (root) => join(root, 'node_modules', '.cache', 'mcx-dist', 'stamp.json');
const SELF = fileURLToPath(import.meta.url);

/** Every source a build transpiles: .ts/.tsx under <workspace>/src, tests and the console's browser UI (Vite builds it) excepted. */
export function sources(root = ROOT) {
  const out = [];
  for (const group of ['libs', 'apps']) {
    let names;
    try {
      names = readdirSync(join(root, group));
    } catch {
      continue;
    }
    for (const name of names) {
      const src = join(root, group, name, 'src');
      const walk = (dir) => {
        let entries;
        try {
          entries = readdirSync(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          const path = join(dir, e.name);
          if (e.isDirectory()) {
            if (!(group === 'apps' && name === 'console' && path === join(src, 'ui'))) walk(path);
          } else if (
            /\.tsx?$/.test(e.name) &&
            !/\.(test|spec)\.tsx?$/.test(e.name) &&
            !e.name.endsWith('.d.ts')
          ) {
            out.push({
              path,
              out: join(root, group, name, 'dist', relative(src, path)).replace(/\.tsx?$/, '.js'),
            });
          }
        }
      };
      walk(src);
    }
  }
  return out;
}

/** What a build depends on: the sources (names and modification times), this script and the installed packages. */
function fingerprint(files, root) {
  let newest = statSync(SELF).mtimeMs;
  for (const f of files) newest = Math.max(newest, statSync(f.path).mtimeMs);
  // npm rewrites it on every install: the bundle holds the third-party code it had.
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed)) newest = Math.max(newest, statSync(installed).mtimeMs);
  return { newest, count: files.length };
}

/** True when the last build is at least as new as every source and covered the same files. */
export function isFresh(files = sources(), root = ROOT) {
  try {
    const stamp = JSON.parse(readFileSync(stampOf(root), 'utf8'));
    const now = fingerprint(files, root);
    return stamp.count === now.count && stamp.newest >= now.newest;
  } catch {
    return false;
  }
}

/** Relative specifiers ending in .ts/.tsx (static and dynamic imports, re-exports) → .js. */
function rewriteImports(code) {
  return code.replace(/((?:\bfrom|\bimport)\s*\(?\s*["'])(\.{1,2}\/[^"'\n]+?)\.tsx?(["'])/g, '$1$2.js$3');
}

/** The command line's entry (relative to the root) and where its bundle goes. */
const BUNDLE_ENTRY = join('apps', 'mcx', 'src', 'main.ts');
const BUNDLE_DIR = join('apps', 'mcx', 'dist', 'bundle');
/** A chunk no build has written for this long is removed (no mcx started before then still needs it, our choice). */
const BUNDLE_KEEP_MS = 24 * 3600_000;
/**
 * The packages the bundle leaves to node_modules: native addons (better-sqlite3 and its loader),
 * Prisma's runtime (it loads its WebAssembly query compiler from its own package), pg (its optional
 * native binding), pino (its transports run files of its own in worker threads) and the build
 * tools. Everything else is plain JavaScript that finds nothing through its own file's location.
 */
const EXTERNAL = /^(better-sqlite3|bindings|file-uri-to-path|@prisma\/[^/]+|pg|pg-native|pino|thread-stream|vite|tsx|esbuild)(\/|$)/;

/** The bundle's entry module (bin/mcx.js runs it), or undefined when there is none. */
export function bundleEntry(root = ROOT) {
  const entry = join(root, BUNDLE_DIR, 'main.js');
  return existsSync(entry) ? entry : undefined;
}

/**
 * Bundles apps/mcx/src/main.ts and what it imports (the workspace packages through their
 * `@mcx/source` condition: the TypeScript sources) into BUNDLE_DIR, EXTERNAL left as imports.
 * Types are erased as in the per-file build (no tsconfig is read: the same defaults as `transform`).
 * CommonJS packages in an ES module bundle require Node's built-in modules through a `require`
 * made for the chunk (the banner).
 */
async function bundle(esbuild, root, suffix) {
  const outdir = join(root, BUNDLE_DIR);
  const workspaceFile = /^(libs|apps)[\\/]([^\\/]+)[\\/]src[\\/](.+)\.tsx?$/;
  const result = await esbuild.build({
    entryPoints: [join(root, BUNDLE_ENTRY)],
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    conditions: ['@mcx/source'],
    // No source map: it made a rebuild take about twice as long (1.5 s more at load 8); the bundle
    // keeps the names and precedes each module with its path (`// libs/db/src/index.ts`).
    sourcemap: false,
    jsx: 'automatic',
    tsconfigRaw: {},
    write: false,
    logLevel: 'silent',
    banner: { js: "import { createRequire as __mcxCreateRequire } from 'node:module';\nconst require = __mcxCreateRequire(import.meta.url);" },
    plugins: [
      {
        name: 'mcx-workspace',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => (EXTERNAL.test(args.path) ? { path: args.path, external: true } : undefined));
          b.onLoad({ filter: /\.tsx?$/ }, (args) => {
            const m = relative(root, args.path).match(workspaceFile);
            if (!m) return undefined;
            let contents = readFileSync(args.path, 'utf8');
            if (contents.includes('import.meta.url')) {
              // This module's own file in its workspace's dist/, relative to the bundle's directory.
              const own = relative(outdir, join(root, m[1], m[2], 'dist', `${m[3]}.js`)).split('\\').join('/');
              contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(own)}, import.meta.url).href`);
            }
            return { contents, loader: args.path.endsWith('.tsx') ? 'tsx' : 'ts' };
          });
        },
      },
    ],
  });
  mkdirSync(outdir, { recursive: true });
  const written = new Set();
  const write = (file) => {
    writeFileSync(file.path + suffix, file.contents);
    renameSync(file.path + suffix, file.path);
    written.add(basename(file.path));
  };
  const entries = result.outputFiles.filter((f) => basename(f.path) === 'main.js');
  for (const f of result.outputFiles) if (!entries.includes(f)) write(f);
  for (const f of entries) write(f); // last: it names the chunks written above
  const now = Date.now();
  for (const name of readdirSync(outdir)) {
    const path = join(outdir, name);
    if (!written.has(name) && now - statSync(path).mtimeMs > BUNDLE_KEEP_MS) rmSync(path, { force: true });
  }
}

export async function build(files = sources(), root = ROOT) {
  // The esbuild that tsx (a declared devDependency, the runner of the sources) uses.
  const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  const esbuild = fromTsx('esbuild');
  const { transform } = esbuild;
  const before = fingerprint(files, root);
  const suffix = `.${process.pid}.tmp`;
  await Promise.all(
    files.map(async (f) => {
      const loader = f.path.endsWith('.tsx') ? 'tsx' : 'ts';
      const result = await transform(readFileSync(f.path, 'utf8'), {
        loader,
        format: 'esm',
        target: 'node20',
        sourcefile: f.path,
        sourcemap: 'inline',
        jsx: 'automatic',
      });
      mkdirSync(dirname(f.out), { recursive: true });
      writeFileSync(f.out + suffix, rewriteImports(result.code));
      renameSync(f.out + suffix, f.out);
    }),
  );
  if (existsSync(join(root, BUNDLE_ENTRY))) await bundle(esbuild, root, suffix);
  const stamp = stampOf(root);
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp + suffix, JSON.stringify(before));
  renameSync(stamp + suffix, stamp);
  return files.length;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = sources();
  if (process.argv.includes('--if-stale') && isFresh(files)) process.exit(0);
  const t0 = performance.now();
  const n = await build(files);
  process.stdout.write(
    `build-dist: ${n} files transpiled to */dist in ${Math.round(performance.now() - t0)} ms\n`,
  );
}
