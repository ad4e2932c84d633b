/**
 * A small multipart/mixed codec (RFC 2046 clause 5.1) for SIP bodies (RFC 3261 clause 7.4,
 * RFC 5621). Used for the SUBSCRIBE body of TS 24.484 clause 6.3.13.2.2: resource-lists plus
 * mcptt-info carrying the access token.
 */
import { SipHeaders } from './message/headers.ts';
import { parseParams, unquote } from './message/params.ts';

export interface BodyPart {
  headers: SipHeaders;
  /** Media type without parameters, lower case (defaults to text/plain, RFC 2046 clause 5.1). */
  contentType: string;
  body: string;
}

export class MultipartError extends Error {}

/** Media type and parameters of a Content-Type value. */
export function parseContentType(value: string): { type: string; params: Map<string, string> } {
  const semi = value.indexOf(';');
  const type = (semi >= 0 ? value.slice(0, semi) : value).trim().toLowerCase();
  return { type, params: semi >= 0 ? parseParams(value.slice(semi)) : new Map() };
}

/**
 * Splits a body into parts. A non-multipart body is returned as a single part so callers can
 * look up parts by type regardless of how the body was sent.
 */
export function parseBodyParts(contentType: string | undefined, body: string): BodyPart[] {
  if (!contentType) return body ? [{ headers: new SipHeaders(), contentType: 'text/plain', body }] : [];
  const ct = parseContentType(contentType);
  if (!ct.type.startsWith('multipart/')) {
    return [{ headers: new SipHeaders({ 'Content-Type': contentType }), contentType: ct.type, body }];
  }
  const boundary = ct.params.get('boundary');
  if (!boundary) throw new MultipartError('multipart body without boundary parameter');
  return parseMultipart(body, unquote(boundary));
}

export function parseMultipart(body: string, boundary: string): BodyPart[] {
  const delimiter = `--${boundary}`;
  const parts: BodyPart[] = [];
  // Delimiters sit at the start of a line (the body itself may start with one).
  let pos = body.startsWith(delimiter) ? 0 : body.indexOf(`\n${delimiter}`);
  if (pos < 0) throw new MultipartError('multipart body without a delimiter line');
  if (pos > 0) pos += 1;
  for (;;) {
    const afterDelim = pos + delimiter.length;
    if (body.startsWith('--', afterDelim)) return parts; // close-delimiter
    const lineEnd = body.indexOf('\n', afterDelim);
    if (lineEnd < 0) throw new MultipartError('multipart body ends without close delimiter');
    const next = body.indexOf(`\n${delimiter}`, lineEnd);
    if (next < 0) throw new MultipartError('multipart body ends without close delimiter');
    let partText = body.slice(lineEnd + 1, next);
    if (partText.endsWith('\r')) partText = partText.slice(0, -1); // the CRLF belongs to the delimiter
    parts.push(parsePart(partText));
    pos = next + 1;
  }
}

function parsePart(text: string): BodyPart {
  let headText: string;
  let body: string;
  const leading = /^\r?\n/.exec(text);
  if (leading) {
    headText = ''; // no part headers (RFC 2046 clause 5.1.1: defaults apply)
    body = text.slice(leading[0].length);
  } else {
    const blank = /\r?\n\r?\n/.exec(text);
    headText = blank ? text.slice(0, blank.index) : text;
    body = blank ? text.slice(blank.index + blank[0].length) : '';
  }
  const headers = new SipHeaders();
  if (headText) {
    for (const line of headText.split(/\r?\n(?![ \t])/)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new MultipartError(`malformed part header "${line.slice(0, 40)}"`);
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
    }
  }
  const ct = headers.get('content-type');
  return { headers, contentType: ct ? parseContentType(ct).type : 'text/plain', body };
}

/** First part of the given media type (case-insensitive), e.g. `application/vnd.3gpp.mcptt-info+xml`. */
export function findPart(parts: readonly BodyPart[], type: string): BodyPart | undefined {
  const t = type.toLowerCase();
  return parts.find((p) => p.contentType === t);
}

export interface MultipartBody {
  contentType: string;
  body: string;
}

/** Builds a multipart/mixed body; `boundary` defaults to a random token. */
export function buildMultipart(
  parts: ReadonlyArray<{ contentType: string; body: string; headers?: Record<string, string> }>,
  boundary = `mcx-${Math.random().toString(36).slice(2, 12)}`,
): MultipartBody {
  let body = '';
  for (const part of parts) {
    if (part.body.includes(`--${boundary}`)) throw new MultipartError('boundary occurs inside a part');
    body += `--${boundary}\r\nContent-Type: ${part.contentType}\r\n`;
    for (const [name, value] of Object.entries(part.headers ?? {})) body += `${name}: ${value}\r\n`;
    body += `\r\n${part.body}\r\n`;
  }
  body += `--${boundary}--\r\n`;
  return { contentType: `multipart/mixed;boundary=${boundary}`, body };
}
