import { describe, expect, it } from 'vitest';
import { buildMultipart, findPart, MultipartError, parseBodyParts } from './multipart.ts';

describe('multipart/mixed (RFC 2046 clause 5.1)', () => {
  it('round-trips the TS 24.484 SUBSCRIBE body and finds parts by type', () => {
    const { contentType, body } = buildMultipart([
      { contentType: 'application/resource-lists+xml', body: '<resource-lists/>' },
      { contentType: 'application/vnd.3gpp.mcptt-info+xml', body: '<mcpttinfo>\r\n<x/>\r\n</mcpttinfo>' },
    ], 'b1');
    expect(contentType).toBe('multipart/mixed;boundary=b1');
    const parts = parseBodyParts(contentType, body);
    expect(parts.map((p) => p.contentType)).toEqual(['application/resource-lists+xml', 'application/vnd.3gpp.mcptt-info+xml']);
    expect(findPart(parts, 'Application/VND.3gpp.mcptt-info+xml')?.body).toBe('<mcpttinfo>\r\n<x/>\r\n</mcpttinfo>');
  });

  it('reads quoted boundaries, preamble, epilogue, LF line ends and parts without headers', () => {
    const plain = parseBodyParts('multipart/mixed; boundary="simple b"', 'pre\n--simple b\nContent-Type: text/plain;charset=utf-8\nX-Extra: 1\n\none\n--simple b\n\ndefault typed\n--simple b--\nepi');
    expect(plain.map((p) => [p.contentType, p.body])).toEqual([['text/plain', 'one'], ['text/plain', 'default typed']]);
    expect(plain[0]!.headers.get('x-extra')).toBe('1');
  });

  it('returns a single part for a non-multipart body, none for no body', () => {
    expect(parseBodyParts('application/resource-lists+xml', '<x/>')).toMatchObject([{ contentType: 'application/resource-lists+xml', body: '<x/>' }]);
    expect(parseBodyParts(undefined, '')).toEqual([]);
  });

  it('rejects bodies without boundary, delimiter or close delimiter', () => {
    expect(() => parseBodyParts('multipart/mixed', 'x')).toThrow(MultipartError);
    expect(() => parseBodyParts('multipart/mixed;boundary=z', 'no delimiter')).toThrow(MultipartError);
    expect(() => parseBodyParts('multipart/mixed;boundary=z', '--z\r\nContent-Type: a/b\r\n\r\nunterminated')).toThrow(MultipartError);
    expect(() => parseBodyParts('multipart/mixed;boundary=z', '--z\r\nno colon here\r\n\r\nx\r\n--z--')).toThrow(MultipartError);
    expect(() => buildMultipart([{ contentType: 'a/b', body: '--z' }], 'z')).toThrow(MultipartError);
  });
});
