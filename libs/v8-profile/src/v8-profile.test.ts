// The profiles the benches' `--profile FILE` write: a CPU profile, or by the file's extension an
// allocation profile that counts the garbage too (what a live-objects profile would not show).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAllocationProfile, profileFileOf, startV8Profile } from './v8-profile.ts';

const dir = mkdtempSync(join(tmpdir(), 'mcx-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface HeapNode {
  callFrame: { functionName: string };
  selfSize: number;
  children: HeapNode[];
}

/** Bytes sampled in the frames of the function named `name`. */
function sampledIn(node: HeapNode, name: string): number {
  return (
    (node.callFrame.functionName === name ? node.selfSize : 0) +
    node.children.reduce((sum, c) => sum + sampledIn(c, name), 0)
  );
}

let sink = 0;
// The last 64 arrays stay reachable, so that no compiler can prove an array unused and drop its allocation.
const recent: number[][] = [];

/** Allocates `bytes` in 1 KiB arrays of which all but the last 64 are garbage when it returns. */
function makeGarbage(bytes: number): void {
  for (let i = 0; i < bytes / 1024; i++) {
    const a = new Array<number>(126).fill(i); // 126 slots: about 1 KiB with the array's header
    recent[i & 63] = a;
    sink += a.length;
  }
}

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) sink += Math.sqrt(sink + 1);
}

describe('bench profiles', () => {
  it('picks the kind by extension', () => {
    expect(isAllocationProfile('/tmp/m.heapprofile')).toBe(true);
    expect(isAllocationProfile('/tmp/m.ue-host-1.heapprofile')).toBe(true);
    expect(isAllocationProfile('/tmp/m.cpuprofile')).toBe(false);
    expect(isAllocationProfile('/tmp/m')).toBe(false);
  });

  it("names another process's file before the extension, so it is of the same kind", () => {
    expect(profileFileOf('/tmp/m.cpuprofile', 'ue-host-1')).toBe('/tmp/m.ue-host-1.cpuprofile');
    expect(profileFileOf('/tmp/g.heapprofile', 'ues')).toBe('/tmp/g.ues.heapprofile');
    expect(isAllocationProfile(profileFileOf('/tmp/g.heapprofile', 'ues'))).toBe(true);
    expect(profileFileOf('/tmp/run.1/m', 'mcx-b')).toBe('/tmp/run.1/m.mcx-b.cpuprofile');
  });

  it('.heapprofile: samples the allocations of objects already collected', async () => {
    const file = join(dir, 'a.heapprofile');
    const profiler = await startV8Profile(file);
    makeGarbage(128 * 1024 * 1024);
    const bytes = await profiler.stop();
    const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode; samples: unknown[] };
    expect(bytes).toBeGreaterThan(0);
    // Far more than the young generation can still hold when the profile stops: the collected ones count.
    expect(sampledIn(profile.head, 'makeGarbage')).toBeGreaterThan(64 * 1024 * 1024);
    expect(profile.samples.length).toBeGreaterThan(1000);
  });

  it('.cpuprofile: samples where the time goes', async () => {
    const file = join(dir, 'c.cpuprofile');
    const profiler = await startV8Profile(file);
    spin(200);
    await profiler.stop();
    const profile = JSON.parse(readFileSync(file, 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string }; children?: number[] }[];
      samples: number[];
    };
    // Where the samples land, not how many there are: on a loaded machine the sampler gets fewer
    // turns, but the ones it gets find the busy function on the stack (itself, or what it calls).
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const inSpin = new Set<number>();
    const mark = (id: number, under: boolean): void => {
      const node = byId.get(id)!;
      const here = under || node.callFrame.functionName === 'spin';
      if (here) inSpin.add(id);
      for (const child of node.children ?? []) mark(child, here);
    };
    mark(profile.nodes[0]!.id, false);
    // (idle), (program), (garbage collector): no JavaScript running
    const meta = new Set(profile.nodes.filter((n) => n.callFrame.functionName.startsWith('(')).map((n) => n.id));
    const busy = profile.samples.filter((id) => !meta.has(id));
    const spinning = busy.filter((id) => inSpin.has(id)).length;
    expect(spinning).toBeGreaterThan(5);
    expect(spinning / busy.length).toBeGreaterThan(0.5);
  });
});
