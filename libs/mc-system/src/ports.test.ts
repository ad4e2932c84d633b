// The ports allocatePorts hands out must be reachable by fetch(): a CI run failed once when a lab's CMS
// drew port 10080, which undici's fetch refuses before connecting ("bad port", WHATWG Fetch 2.9).
import { describe, expect, it } from 'vitest';
import { FETCH_BAD_PORTS, mayPick } from './ports.ts';

const causeOf = async (port: number): Promise<string> => {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
    return 'answered';
  } catch (e) {
    return String(((e as Error).cause as Error | undefined)?.message ?? (e as Error).message);
  }
};

describe('the ports we pick', () => {
  it('never include one that fetch() refuses, and the list of those agrees with undici', async () => {
    expect(mayPick(10_080, 32_768)).toBe(false);
    expect(mayPick(10_081, 32_768)).toBe(true);
    expect(mayPick(9_999, 32_768)).toBe(false); // below our floor
    expect(mayPick(32_768, 32_768)).toBe(false); // the kernel's ephemeral range
    expect(mayPick(20_000, 32_768, new Set([20_000]))).toBe(false);
    for (const port of FETCH_BAD_PORTS) expect([port, await causeOf(port)]).toEqual([port, 'bad port']);
    // A port next to a blocked one is not refused by fetch (nothing listens: the connection is refused instead).
    expect(await causeOf(10_081)).not.toBe('bad port');
  });
});
