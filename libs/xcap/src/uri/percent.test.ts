import { describe, expect, it } from 'vitest';
import { BadXcapUri } from '../errors/http-error.ts';
import { encodePathSegment, percentDecode } from './percent.ts';

/** What encodePathSegment returns for any segment: encodeURIComponent, with RFC 3986 pchar left readable. */
const reference = (s: string) => encodeURIComponent(s).replace(/%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

describe('percent-encoding of XCAP URI parts (RFC 3986 clause 2.1)', () => {
  it('leaves a segment of pchar alone and encodes every other character, as the reference does', () => {
    expect(encodePathSegment('sip:alice@example.com')).toBe('sip:alice@example.com');
    expect(encodePathSegment("a-b_c.d~e!$&'()*+,;=")).toBe("a-b_c.d~e!$&'()*+,;=");
    for (let c = 1; c < 0x800; c += 1) {
      const s = `x${String.fromCharCode(c)}y`;
      expect(encodePathSegment(s)).toBe(reference(s));
    }
    expect(encodePathSegment('mcptt user[1]/"x"')).toBe('mcptt%20user%5B1%5D%2F%22x%22');
  });

  it('decodes escapes, returns text without escapes as it is, and refuses NUL either way', () => {
    expect(percentDecode('sip%3Aalice%40example.com', 'the XUI')).toBe('sip:alice@example.com');
    expect(percentDecode('sip:alice@example.com', 'the XUI')).toBe('sip:alice@example.com');
    expect(() => percentDecode('a\u0000b', 'the XUI')).toThrow(BadXcapUri);
    expect(() => percentDecode('a%00b', 'the XUI')).toThrow(BadXcapUri);
    expect(() => percentDecode('a%E0%A4%A', 'the XUI')).toThrow(/malformed percent-encoding in the XUI/);
  });
});
