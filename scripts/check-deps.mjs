#!/usr/bin/env node
/**
 * Every workspace package declares the packages it imports (run by `npm run lint`).
 *
 * For each workspace package (root package.json "workspaces") and for the root itself (its own
 * files and scripts/), the import specifiers of its source files are read with TypeScript's
 * pre-processor (`import ... from`, `export ... from`, `import(...)`, `require(...)`, type-only
 * imports included). Relative specifiers, Node built-ins and `#` subpath imports are skipped.
 *
 *   - a package imported by a file under src/ (not a test, not a `testing` helper for other
 *     packages' tests) must be in "dependencies";
 *   - a package imported only by tests, test helpers, scripts, benches or config files must be in
 *     "dependencies" or "devDependencies";
 *   - an external package declared by a workspace package with "*" must be pinned by the root
 *     package.json (our convention: the root pins versions, workspaces declare "*").
 *
 * Our own choice of rules, so that a package says what it needs: any undeclared package, external
 * or a workspace package (@mcx/*), is an error (exit 1), so the Nx graph and npm agree with the code.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SOURCE = /\.(?:[cm]?[jt]sx?)$/;
const SKIP_DIRS = new Set([
  'node_modules',
  'dist',
  '.nx',
  'coverage',
  'test-results',
  'playwright-report',
  'playwright-output',
  '.data',
  'data',
]);
const BUILTINS = new Set(builtinModules);

/** "@scope/name/sub/path" -> "@scope/name", "name/sub" -> "name"; undefined for what is not a package. */
export function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#')) return undefined;
  if (specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]))
    return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The package names a source text imports. */
export function importedPackages(text) {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  const names = new Set();
  for (const { fileName } of importedFiles) {
    const name = packageOf(fileName);
    if (name) names.add(name);
  }
  return names;
}

/**
 * Whether a file (path relative to its package) ships: under src/, not a test and not a
 * `testing` module (src/testing.ts or a testing/ folder: helpers other packages' tests import).
 */
export function isRuntimeFile(rel) {
  const parts = rel.split(sep);
  if (parts[0] !== 'src') return false;
  if (parts.some((p) => p === 'test' || p === '__tests__' || p === 'testing')) return false;
  return !/(?:\.(?:test|spec)|^testing)\.[cm]?[jt]sx?$/.test(parts.at(-1));
}

function* sourceFiles(dir, { descend = () => true } = {}) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.') && descend(path))
        yield* sourceFiles(path);
    } else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      yield path;
    }
  }
}

/** Workspace package folders from the root "workspaces" globs ("libs/*", "e2e"). */
function workspaceDirs(root, patterns) {
  const dirs = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2));
      for (const name of readdirSync(parent).sort()) {
        const dir = join(parent, name);
        if (statSync(join(dir, 'package.json'), { throwIfNoEntry: false })?.isFile()) dirs.push(dir);
      }
    } else if (statSync(join(root, pattern, 'package.json'), { throwIfNoEntry: false })?.isFile()) {
      dirs.push(join(root, pattern));
    }
  }
  return dirs;
}

/**
 * @typedef {object} Finding
 * @property {string} where  package folder relative to the root, "(root)" for the root package
 * @property {string} [file] importing file, relative to the package folder
 * @property {string} name   the package imported or declared
 * @property {'dependencies' | 'devDependencies' | 'root pin'} missing  where it should be declared
 * @property {boolean} workspace  whether `name` is one of the workspace packages
 */

/**
 * Every violation of the rules above in the repository at `root`. The root package covers its
 * own top-level files and scripts/, not the workspace folders.
 * @returns {Finding[]}
 */
export function findUndeclared(root) {
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const pinned = new Set([
    ...Object.keys(rootManifest.dependencies ?? {}),
    ...Object.keys(rootManifest.devDependencies ?? {}),
  ]);
  const workspaces = workspaceDirs(root, rootManifest.workspaces ?? []).map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')),
    descend: () => true,
  }));
  const workspaceNames = new Set(workspaces.map((w) => w.manifest.name));
  const topLevels = new Set(workspaces.map((w) => relative(root, w.dir).split(sep)[0]));
  const rootPackage = {
    dir: root,
    manifest: rootManifest,
    descend: (path) => !topLevels.has(relative(root, path).split(sep)[0]),
  };

  const findings = [];
  for (const { dir, manifest, descend } of [rootPackage, ...workspaces]) {
    const where = relative(root, dir) || '(root)';
    const deps = manifest.dependencies ?? {};
    const devDeps = manifest.devDependencies ?? {};
    for (const file of sourceFiles(dir, { descend })) {
      const rel = relative(dir, file);
      const runtime = dir !== root && isRuntimeFile(rel);
      for (const name of importedPackages(readFileSync(file, 'utf8'))) {
        if (name === manifest.name || name in deps || (!runtime && name in devDeps)) continue;
        findings.push({
          where,
          file: rel,
          name,
          missing: runtime ? 'dependencies' : 'devDependencies',
          workspace: workspaceNames.has(name),
        });
      }
    }
    if (dir === root) continue;
    for (const [name, version] of Object.entries({ ...deps, ...devDeps })) {
      if (version === '*' && !workspaceNames.has(name) && !pinned.has(name)) {
        findings.push({ where, name, missing: 'root pin', workspace: false });
      }
    }
  }
  return findings;
}

/** One readable line per finding. */
export function describe(f) {
  if (f.missing === 'root pin')
    return `${f.where}: declares ${f.name} "*" but the root package.json pins no version of it`;
  const need =
    f.missing === 'dependencies' ? '"dependencies" (src/ imports it)' : '"dependencies" or "devDependencies"';
  return `${f.where}: ${f.file} imports ${f.name}, declare it in ${need}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const findings = findUndeclared(root);
  const errors = findings;
  if (errors.length > 0) {
    for (const f of errors) console.error(describe(f));
    console.error(
      `check-deps: ${errors.length} undeclared package(s); declare each with "*" in the package.json named (the root pins versions)`,
    );
    process.exit(1);
  }
  console.log('check-deps: every package declares the external packages it imports');
}
