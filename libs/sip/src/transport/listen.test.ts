import { describe, expect, it } from 'vitest';
import { listenUdpAndTcp } from './listen.ts';

describe('listenUdpAndTcp (RFC 3261 clause 18)', () => {
  it('binds UDP and TCP on the same ephemeral port', async () => {
    const transports = await listenUdpAndTcp('127.0.0.1', 0);
    try {
      expect(transports.map((t) => t.protocol)).toEqual(['udp', 'tcp']);
      expect(transports[0]!.local.port).toBeGreaterThan(0);
      expect(transports[1]!.local.port).toBe(transports[0]!.local.port);
    } finally {
      for (const t of transports) await t.close();
    }
  });

  it('refuses a fixed port that is taken, leaving nothing bound', async () => {
    const taken = await listenUdpAndTcp('127.0.0.1', 0);
    try {
      await expect(listenUdpAndTcp('127.0.0.1', taken[0]!.local.port)).rejects.toThrow();
    } finally {
      for (const t of taken) await t.close();
    }
  });
});
