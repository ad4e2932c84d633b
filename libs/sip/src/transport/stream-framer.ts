/**
 * Framing of SIP messages on a byte stream (RFC 3261 clause 18.3): the header section ends at
 * the first empty line and Content-Length gives the body size. CRLF keep-alives between
 * messages (RFC 5626 clause 3.5.1) are skipped.
 */
import { findHeaderEnd } from '../message/parse.ts';

export class FramingError extends Error {}

export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);

  /** @param maxMessage largest accepted message (headers + body), bytes. */
  constructor(private readonly maxMessage = 1024 * 1024) {}

  /** Appends bytes and returns the complete messages now available. Throws FramingError on a broken stream. */
  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: Buffer[] = [];
    for (;;) {
      let start = 0;
      while (start < this.buffer.length && (this.buffer[start] === 0x0d || this.buffer[start] === 0x0a)) start++;
      if (start) this.buffer = this.buffer.subarray(start);
      if (this.buffer.length === 0) break;
      const end = findHeaderEnd(this.buffer);
      if (!end) {
        if (this.buffer.length > this.maxMessage) throw new FramingError('header section too large');
        break;
      }
      const head = this.buffer.toString('latin1', 0, end[0]);
      const m = /(?:^|\n)[ \t]*(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*\r?$/im.exec(head);
      const length = m ? Number(m[1]) : 0;
      if (end[1] + length > this.maxMessage) throw new FramingError('message too large');
      if (this.buffer.length < end[1] + length) break;
      out.push(this.buffer.subarray(0, end[1] + length));
      this.buffer = this.buffer.subarray(end[1] + length);
    }
    if (this.buffer.length === 0) this.buffer = Buffer.alloc(0);
    return out;
  }
}
