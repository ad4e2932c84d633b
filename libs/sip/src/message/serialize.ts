/**
 * Serialisation of SIP messages (RFC 3261 clause 7). Content-Length is always written and
 * counts bytes of the UTF-8 body (RFC 3261 clause 20.14); Via values get one line each.
 */
import type { SipMessage } from './message.ts';

export function serializeMessage(message: SipMessage): Buffer {
  const body = Buffer.from(message.body, 'utf8');
  let head =
    message.kind === 'request'
      ? `${message.method} ${message.uri} SIP/2.0\r\n`
      : `SIP/2.0 ${message.status} ${message.reason}\r\n`;
  for (const [name, values] of message.headers) {
    if (name === 'Content-Length' || values.length === 0) continue;
    if (name === 'Via') for (const v of values) head += `Via: ${v}\r\n`;
    else head += `${name}: ${values.join(', ')}\r\n`;
  }
  head += `Content-Length: ${body.length}\r\n\r\n`;
  return body.length ? Buffer.concat([Buffer.from(head, 'utf8'), body]) : Buffer.from(head, 'utf8');
}
