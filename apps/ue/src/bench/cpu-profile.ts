/**
 * A V8 CPU profile of this process between `start` and `stop` (node:inspector, the
 * Profiler domain of the Chrome DevTools Protocol), written as a `.cpuprofile` JSON file that
 * Chrome DevTools and speedscope open.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

export interface CpuProfiler {
  /** Stops profiling and writes the profile to the file; resolves with its size in bytes. */
  stop(): Promise<number>;
}

export async function startCpuProfile(file: string, samplingIntervalUs = 1000): Promise<CpuProfiler> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await session.post('Profiler.start');
  return {
    async stop() {
      try {
        const { profile } = await session.post('Profiler.stop');
        const json = JSON.stringify(profile);
        writeFileSync(file, json);
        return Buffer.byteLength(json);
      } finally {
        session.disconnect();
      }
    },
  };
}
