import { expect, it } from 'vitest';
import { FramingError, StreamFramer } from './stream-framer.ts';

const msg = (body: string, cl = Buffer.byteLength(body), name = 'Content-Length') =>
  `NOTIFY sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n${name}: ${cl}\r\n\r\n${body}`;

it('cuts a byte stream into messages at Content-Length (RFC 3261 clause 18.3), byte by byte too', () => {
  const stream = Buffer.from(`\r\n\r\n${msg('héllo')}${msg('', 0, 'l')}\r\n${msg('x'.repeat(10))}`);
  const whole = new StreamFramer().push(stream).map((b) => b.toString());
  expect(whole).toEqual([msg('héllo'), msg('', 0, 'l'), msg('x'.repeat(10))]);
  const framer = new StreamFramer();
  const pieces: string[] = [];
  for (const byte of stream) pieces.push(...framer.push(Buffer.from([byte])).map((b) => b.toString()));
  expect(pieces).toEqual(whole);
});

it('waits for a body that has not fully arrived', () => {
  const framer = new StreamFramer();
  const m = msg('0123456789');
  expect(framer.push(Buffer.from(m.slice(0, -3)))).toEqual([]);
  expect(framer.push(Buffer.from(m.slice(-3))).map(String)).toEqual([m]);
});

it('refuses oversized messages', () => {
  const framer = new StreamFramer(100);
  expect(() => framer.push(Buffer.from(msg('', 500)))).toThrow(FramingError);
  expect(() => new StreamFramer(100).push(Buffer.from('X'.repeat(200)))).toThrow(FramingError);
});
