import { describe, expect, it } from 'vitest';
import { BadXcapUri } from '../errors/http-error.ts';
import { XcapUriCache } from './uri-cache.ts';
import { parseXcapUri } from './xcap-uri.ts';

describe('XcapUriCache', () => {
  it('parses a target once and returns the same parsed URI again', () => {
    const cache = new XcapUriCache();
    const target = '/resource-lists/users/sip:alice@example.com/index/~~/resource-lists/list%5b@name=%22a%22%5d';
    const first = cache.parse(target);
    expect(first).toEqual(parseXcapUri(target));
    expect(cache.parse(target)).toBe(first);
    expect(cache.size).toBe(1);
  });

  it('keeps at most `capacity` targets, dropping the oldest', () => {
    const cache = new XcapUriCache(2);
    const a = cache.parse('/resource-lists/users/sip:a@x/index');
    cache.parse('/resource-lists/users/sip:b@x/index');
    cache.parse('/resource-lists/users/sip:c@x/index');
    expect(cache.size).toBe(2);
    expect(cache.parse('/resource-lists/users/sip:a@x/index')).not.toBe(a);
  });

  it('throws for a bad target, every time, and keeps nothing for it', () => {
    const cache = new XcapUriCache();
    expect(() => cache.parse('/resource-lists/nowhere/x')).toThrow(BadXcapUri);
    expect(() => cache.parse('/resource-lists/nowhere/x')).toThrow(BadXcapUri);
    expect(cache.size).toBe(0);
  });
});
