/**
 * `MCX_MEMORY` (bin/mcx.js): the launcher picks the V8 flags of every mcx process, `fast` (the
 * default) or `lean` (less memory for more CPU, issue #14), and refuses any other value before it
 * starts anything. Real processes (bin/mcx.js from the sources), real sockets, free ports.
 */
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTestEcosystems, runMcx, testEcosystem } from './test-ecosystem.ts';

afterAll(removeTestEcosystems);

/** bin/mcx.js with `MCX_MEMORY=memory`, run to its end. */
const mcx = (memory: string, args: string[]) => runMcx(args, 170_000, { MCX_MEMORY: memory });

describe('MCX_MEMORY', () => {
  it('an unknown mode is refused with the modes there are, and nothing starts', async () => {
    const { config, dataDir } = testEcosystem('memory-bad');
    const run = await mcx('huge', ['up', '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('MCX_MEMORY=huge is not a memory mode: use fast or lean');
    expect(run.stdout).toBe('');
    // `mcx up` never ran: it would have made its data directory.
    expect(existsSync(dataDir)).toBe(false);
  });

  it('lean: the bench runs with the lean V8 flags, says so, and every UE migrates', async () => {
    const { config } = testEcosystem('memory-lean');
    const run = await mcx('lean', [
      'bench',
      'migration',
      '--config',
      config,
      '--ues',
      '2',
      '--ue-hosts',
      '1',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { ok: number; failed: number; exec_argv: string[] };
    expect([report.ok, report.failed]).toEqual([2, 0]);
    expect(report.exec_argv).toEqual(
      expect.arrayContaining(['--heap-growing-percent=50', '--max-semi-space-size=32']),
    );
    expect(report.exec_argv).not.toContain('--max-semi-space-size=64');
    // The progress line names the heap flags in effect.
    expect(run.stderr).toContain('; V8 --max-semi-space-size=32 --heap-growing-percent=50');
  }, 180_000);
});
