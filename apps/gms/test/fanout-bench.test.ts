/**
 * `mcx bench gms` (bench/group-fanout.ts) end to end at a size a test affords: 20 members subscribe
 * over TCP, one admin change, and every member answers its NOTIFY. With BENCH_PROFILE the GMS's
 * process and the UE process each write a profile of the change, of the kind the file's extension
 * names (libs/v8-profile): this checks the bench's wiring, not its numbers.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const app = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gms-fanout-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface AllocationNode {
  callFrame: { url: string };
  selfSize: number;
  children: AllocationNode[];
}

/** Bytes sampled in frames whose script URL contains `part`. */
function sampledIn(node: AllocationNode, part: string): number {
  return (node.callFrame.url.includes(part) ? node.selfSize : 0) + node.children.reduce((sum, c) => sum + sampledIn(c, part), 0);
}

it('notifies every member of a change and profiles both processes', async () => {
  const profile = join(dir, 'g.heapprofile');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@mcx/source', '--import', 'tsx', '--no-warnings=ExperimentalWarning', 'bench/group-fanout.ts'],
    {
      cwd: app,
      env: { ...process.env, BENCH_MEMBERS: '20', BENCH_TRANSPORT: 'tcp', BENCH_CHANGES: '1', BENCH_DRAIN_SECONDS: '0', BENCH_PROFILE: profile },
      timeout: 90_000,
    },
  );
  const report = JSON.parse(stdout) as {
    subscribedMembers: number;
    failedNotifies: number;
    uesReceivedNotifies: number;
    changes: { lastNotifyAnsweredMs: number }[];
  };
  expect(report.subscribedMembers).toBe(20);
  expect(report.failedNotifies).toBe(0);
  // Each member's initial NOTIFY and the change's.
  expect(report.uesReceivedNotifies).toBe(40);
  expect(report.changes).toHaveLength(1);
  expect(report.changes[0]!.lastNotifyAnsweredMs).toBeGreaterThan(0);

  // The UE process's profile beside the GMS's, of the same kind: allocation profiles (a head tree), not CPU ones.
  const gms = JSON.parse(readFileSync(profile, 'utf8')) as { head?: AllocationNode; nodes?: unknown };
  const ues = JSON.parse(readFileSync(join(dir, 'g.ues.heapprofile'), 'utf8')) as { head?: AllocationNode; nodes?: unknown };
  expect(gms.nodes).toBeUndefined();
  expect(ues.nodes).toBeUndefined();
  // The change's allocations: the GMS writes the group document and builds the NOTIFYs (our SIP stack).
  expect(sampledIn(gms.head!, 'libs/sip/src')).toBeGreaterThan(0);
  expect(sampledIn(ues.head!, '')).toBeGreaterThan(0);
}, 120_000);
