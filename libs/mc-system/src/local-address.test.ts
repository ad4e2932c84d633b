import { hostname, networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isLocalAddress } from './local-address.ts';

describe('isLocalAddress', () => {
  it('knows this machine by its interfaces, its name and localhost, and nothing else', () => {
    expect(isLocalAddress('127.0.0.1')).toBe(true);
    expect(isLocalAddress('localhost')).toBe(true);
    expect(isLocalAddress(hostname())).toBe(true);
    const some = Object.values(networkInterfaces()).flatMap((l) => l ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    if (some) expect(isLocalAddress(some.address)).toBe(true);
    expect(isLocalAddress('127.0.0.2')).toBe(false); // loopback, but no interface has it: "another machine" in a lab
    expect(isLocalAddress('192.0.2.10')).toBe(false); // TEST-NET-1 (RFC 5737)
    expect(isLocalAddress('127.0.0.2', { MCX_LOCAL_ADDRESSES: '192.0.2.10, 127.0.0.2' })).toBe(true);
  });
});
