// The migration bench's wall time ends when the last UE was configured (its `timings.configuredAt`),
// not when the bench's next poll of the counts saw it: a poll every second put up to 15 % on the
// wall time of a 7-second run of 1,000 UEs.
import { describe, expect, it } from 'vitest';
import type { UeSnapshot } from '@mcx/ue-host-api';
import { lastConfigured } from '../src/bench/migration-bench.ts';

const ue = (configuredAt?: string) => ({ timings: configuredAt ? { configuredAt } : {} }) as UeSnapshot;

describe('lastConfigured', () => {
  it('is the latest configuredAt of the UEs, in ms after the start', () => {
    const t0 = Date.parse('2026-12-01T10:00:00.000Z');
    const ues = [ue('2026-12-01T10:00:03.250Z'), ue('2026-12-01T10:00:06.595Z'), ue('2026-12-01T10:00:01.000Z')];
    expect(lastConfigured(ues, t0)).toBe(6595);
  });

  it('skips UEs without the stamp, and is undefined when none has it', () => {
    const t0 = Date.parse('2026-12-01T10:00:00.000Z');
    expect(lastConfigured([ue(), ue('2026-12-01T10:00:00.420Z')], t0)).toBe(420);
    expect(lastConfigured([ue(), ue()], t0)).toBeUndefined();
    expect(lastConfigured([], t0)).toBeUndefined();
  });
});
