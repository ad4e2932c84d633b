/**
 * Percent-encoding of XCAP URI parts (RFC 3986 clause 2.1, RFC 4825 clause 6).
 * Decoding yields UTF-8 text; a malformed escape or a decoded NUL is refused.
 */
import { BadXcapUri } from '../errors/http-error.ts';

export function percentDecode(raw: string, what: string): string {
  // Without an escape there is nothing to decode (issue #14: most segments have none).
  if (raw.indexOf('%') === -1) {
    if (raw.includes('\u0000')) throw new BadXcapUri(`NUL character in ${what}`);
    return raw;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new BadXcapUri(`malformed percent-encoding in ${what}`);
  }
  if (decoded.includes('\u0000')) throw new BadXcapUri(`NUL character in ${what}`);
  return decoded;
}

/** RFC 3986 `pchar` without pct-encoded: unreserved, sub-delims, ":" and "@". */
const PCHAR_ONLY = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]*$/;

/**
 * Encodes one path segment: everything but RFC 3986 `pchar` (unreserved, sub-delims, ":" and "@")
 * is percent-encoded, so `sip:alice@example.com` stays readable.
 */
export function encodePathSegment(segment: string): string {
  // Only pchar already (issue #14: the common case): encoding would give the segment back.
  if (PCHAR_ONLY.test(segment)) return segment;
  return encodeURIComponent(segment).replace(/%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/gi, (_m, hex: string) =>
    String.fromCharCode(parseInt(hex, 16)),
  );
}

/**
 * Encodes a node selector for use after `~~/` (RFC 4825 clause 6.3): path separators stay,
 * characters not allowed in a path segment (`[`, `]`, `"`, space, ...) are percent-encoded.
 */
export function encodeNodeSelector(selector: string): string {
  return selector
    .split('/')
    .map((s) => encodePathSegment(s))
    .join('/');
}
