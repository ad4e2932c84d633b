/**
 * scripts/build-dist.mjs, which bin/mcx.js runs before every command when a source changed: it
 * transpiles a workspace's src/ to dist/ with relative .ts imports rewritten (the output runs), leaves
 * tests out, and knows when its last build is stale (a newer source, a new file), so mcx never runs
 * stale code. On a throw-away monorepo, not this one.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/ecosystem-process.ts';

interface BuildDist {
  sources(root: string): { path: string; out: string }[];
  isFresh(files: { path: string; out: string }[], root: string): boolean;
  build(files: { path: string; out: string }[], root: string): Promise<number>;
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
});
