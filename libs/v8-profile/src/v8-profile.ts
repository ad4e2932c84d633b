/**
 * A V8 profile of this process between `start` and `stop` (node:inspector, the Chrome DevTools
 * Protocol), written as JSON that Chrome DevTools and speedscope open. Every `--profile FILE` of the
 * mcx benches (`mcx bench migration|gms|xcap`, the IdMS exchange bench) and of the processes they
 * fork goes through it. Which profile the file's extension says (our choice, so that a bench's
 * `--profile FILE` and the file names of the processes it forks need nothing more):
 * - `.heapprofile`: a sampling allocation profile (HeapProfiler domain): about one allocation in
 *   every {@link ALLOCATION_SAMPLING_BYTES} bytes, with its stack, including the objects that were
 *   collected since (`includeObjectsCollectedByMajorGC` / `...MinorGC`): where the garbage a
 *   migration makes comes from, which is what the scavenges and the old generation's growth cost;
 * - anything else (`.cpuprofile`): a CPU profile (Profiler domain), one sample per
 *   `samplingIntervalUs`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { extname } from 'node:path';

export interface V8Profiler {
  /** Stops profiling and writes the profile to the file; resolves with its size in bytes. */
  stop(): Promise<number>;
}

/** Mean bytes between two sampled allocations of an allocation profile (V8's default is 32 KiB; our choice: finer). */
export const ALLOCATION_SAMPLING_BYTES = 16_384;

/** Whether `file` asks for an allocation profile rather than a CPU profile. */
export function isAllocationProfile(file: string): boolean {
  return file.endsWith('.heapprofile');
}

/**
 * The file another process of the same bench, named `name`, writes its profile to when the bench's
 * is `file`: the name before the extension, so the kind stays the file's (`m.cpuprofile` →
 * `m.ue-host-1.cpuprofile`, `g.heapprofile` → `g.ues.heapprofile`). Our choice of names.
 */
export function profileFileOf(file: string, name: string): string {
  const ext = extname(file);
  return `${file.slice(0, file.length - ext.length)}.${name}${ext || '.cpuprofile'}`;
}

export async function startV8Profile(file: string, samplingIntervalUs = 1000): Promise<V8Profiler> {
  const session = new Session();
  session.connect();
  const allocations = isAllocationProfile(file);
  try {
    if (allocations) {
      await session.post('HeapProfiler.enable');
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: ALLOCATION_SAMPLING_BYTES,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    } else {
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
      await session.post('Profiler.start');
    }
  } catch (err) {
    session.disconnect();
    throw err;
  }
  return {
    async stop() {
      try {
        const { profile } = allocations
          ? await session.post('HeapProfiler.stopSampling')
          : await session.post('Profiler.stop');
        const json = JSON.stringify(profile);
        writeFileSync(file, json);
        return Buffer.byteLength(json);
      } finally {
        session.disconnect();
      }
    },
  };
}
