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
 * Each file is written to a temporary name and renamed, and the stamp is written last, so two
 * launchers building at once leave whole files behind.
 *
 * Usage: node scripts/build-dist.mjs [--if-stale]
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
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

/** What a build depends on: the sources (names and modification times) and this script. */
function fingerprint(files) {
  let newest = statSync(SELF).mtimeMs;
  for (const f of files) newest = Math.max(newest, statSync(f.path).mtimeMs);
  return { newest, count: files.length };
}

/** True when the last build is at least as new as every source and covered the same files. */
export function isFresh(files = sources(), root = ROOT) {
  try {
    const stamp = JSON.parse(readFileSync(stampOf(root), 'utf8'));
    const now = fingerprint(files);
    return stamp.count === now.count && stamp.newest >= now.newest;
  } catch {
    return false;
  }
}

/** Relative specifiers ending in .ts/.tsx (static and dynamic imports, re-exports) → .js. */
function rewriteImports(code) {
  return code.replace(/((?:\bfrom|\bimport)\s*\(?\s*["'])(\.{1,2}\/[^"'\n]+?)\.tsx?(["'])/g, '$1$2.js$3');
}

export async function build(files = sources(), root = ROOT) {
  // The esbuild that tsx (a declared devDependency, the runner of the sources) uses.
  const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'));
  const { transform } = fromTsx('esbuild');
  const before = fingerprint(files);
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
