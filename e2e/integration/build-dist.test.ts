/**
 * scripts/build-dist.mjs, which bin/mcx.js runs before every command when a source changed: it
 * transpiles a workspace's src/ to dist/ with relative .ts imports rewritten (the output runs), leaves
 * tests out, and knows when its last build is stale (a newer source, a new file, an npm install), so
 * mcx never runs stale code; it bundles the command line (apps/mcx/src/main.ts), whose modules still
 * find their files from their per-file output. On a throw-away monorepo, not this one.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/ecosystem-process.ts';

interface BuildDist {
  sources(root: string): { path: string; out: string }[];
  isFresh(files: { path: string; out: string }[], root: string): boolean;
  build(files: { path: string; out: string }[], root: string): Promise<number>;
  bundleEntry(root: string): string | undefined;
}

const root = mkdtempSync(join(tmpdir(), 'mcx-build-dist-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('build-dist', () => {
  it('transpiles src/ to dist/ that runs, and a newer or new source makes the build stale', async () => {
    const script = pathToFileURL(join(REPO, 'scripts', 'build-dist.mjs')).href;
    const dist = (await import(script)) as BuildDist;
    const src = join(root, 'libs', 'a', 'src');
    mkdirSync(join(src, 'nested'), { recursive: true });
    writeFileSync(
      join(src, 'index.ts'),
      "import { b } from './nested/b.ts';\nexport { b };\nexport const a = async (): Promise<number> => (await import('./nested/b.ts')).b() + 1;\n",
    );
    writeFileSync(join(src, 'nested', 'b.ts'), 'export const b = (): number => 41;\n');
    writeFileSync(join(src, 'index.test.ts'), 'throw new Error("tests are not built");\n');

    expect(dist.isFresh(dist.sources(root), root)).toBe(false);
    expect(await dist.build(dist.sources(root), root)).toBe(2);
    expect(existsSync(join(root, 'libs', 'a', 'dist', 'index.test.js'))).toBe(false);
    const built = (await import(pathToFileURL(join(root, 'libs', 'a', 'dist', 'index.js')).href)) as {
      a(): Promise<number>;
    };
    expect(await built.a()).toBe(42);
    expect(dist.isFresh(dist.sources(root), root)).toBe(true);

    // A source edited after the build.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(src, 'nested', 'b.ts'), later, later);
    expect(dist.isFresh(dist.sources(root), root)).toBe(false);
    await dist.build(dist.sources(root), root);
    expect(dist.isFresh(dist.sources(root), root)).toBe(true);

    // A new source file.
    writeFileSync(join(src, 'c.ts'), 'export const c = 1;\n');
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(join(src, 'c.ts'), past, past);
    expect(dist.isFresh(dist.sources(root), root)).toBe(false);
  });

  it('bundles the command line, whose import.meta.url paths resolve as from the per-file build, and an npm install makes it stale', async () => {
    const script = pathToFileURL(join(REPO, 'scripts', 'build-dist.mjs')).href;
    const dist = (await import(script)) as BuildDist;
    const mono = join(root, 'bundled');
    const lib = join(mono, 'libs', 'x', 'src');
    const cli = join(mono, 'apps', 'mcx', 'src');
    mkdirSync(join(lib, 'deep'), { recursive: true });
    mkdirSync(cli, { recursive: true });
    writeFileSync(join(mono, 'libs', 'x', 'data.txt'), 'beside src and dist');
    writeFileSync(
      join(lib, 'deep', 'where.ts'),
      "import { readFileSync } from 'node:fs';\nimport { fileURLToPath } from 'node:url';\n" +
        "export const here = (): string => fileURLToPath(import.meta.url);\n" +
        "export const data = (): string => readFileSync(new URL('../../data.txt', import.meta.url), 'utf8');\n",
    );
    writeFileSync(join(lib, 'later.ts'), 'export const later = (n: number): number => n * 2;\n');
    writeFileSync(
      join(cli, 'main.ts'),
      "import { data, here } from '../../../libs/x/src/deep/where.ts';\n" +
        "const { later } = await import('../../../libs/x/src/later.ts');\n" +
        "process.stdout.write(JSON.stringify({ here: here(), data: data(), later: later(21) }));\n",
    );
    expect(dist.bundleEntry(mono)).toBeUndefined();
    await dist.build(dist.sources(mono), mono);
    const entry = dist.bundleEntry(mono);
    expect(entry).toBe(join(mono, 'apps', 'mcx', 'dist', 'bundle', 'main.js'));
    const ran = spawnSync(process.execPath, [entry!], { encoding: 'utf8' });
    expect(ran.stderr).toBe('');
    // The bundled module sees the URL of its per-file output (libs/x/dist/deep/where.js), not the bundle's.
    expect(JSON.parse(ran.stdout)).toEqual({
      here: join(mono, 'libs', 'x', 'dist', 'deep', 'where.js'),
      data: 'beside src and dist',
      later: 42,
    });
    expect(existsSync(join(mono, 'libs', 'x', 'dist', 'deep', 'where.js'))).toBe(true);
    expect(dist.isFresh(dist.sources(mono), mono)).toBe(true);

    // npm install rewrites node_modules/.package-lock.json: the bundle holds third-party code.
    mkdirSync(join(mono, 'node_modules'), { recursive: true });
    writeFileSync(join(mono, 'node_modules', '.package-lock.json'), '{}');
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(mono, 'node_modules', '.package-lock.json'), later, later);
    expect(dist.isFresh(dist.sources(mono), mono)).toBe(false);
  });
});
