/**
 * Parsing of SIP messages (RFC 3261 clause 7, clause 25 grammar; torture cases of RFC 4475).
 *
 * Outcome:
 * - `ok`: a well-formed message.
 * - `bad`: a request whose start line and headers could be read but which violates a rule;
 *   it should be answered with `status` (400, 416, 505) and `reason` (RFC 3261 clause 8.2.2,
 *   RFC 4475 clause 3.1.2). `message` holds what was read, enough to build the response.
 * - `drop`: unparsable (no start line, or a broken response): discard and log (RFC 3261
 *   clause 16.3 / 18.3 "discard").
 */
import { SipHeaders, headerKey, isListHeader, splitList } from './headers.ts';
import type { SipMessage, SipRequest, SipResponse } from './message.ts';
import { parseNameAddr } from './name-addr.ts';
import { parseCSeq } from './cseq.ts';
import { parseVia } from './via.ts';
import { detached } from './detached.ts';

export type ParseResult =
  | { kind: 'ok'; message: SipMessage }
  | { kind: 'bad'; status: number; reason: string; message: SipRequest }
  | { kind: 'drop'; reason: string };

export interface ParseOptions {
  /**
   * Stream transport (TCP): the framer already cut the message at Content-Length. On a
   * datagram, a Content-Length larger than the datagram is an error and a smaller one
   * truncates the body (RFC 3261 clause 18.3).
   */
  stream?: boolean;
}

const METHOD = /^[A-Za-z0-9!%*_+`'~.-]+$/;
const TOKEN = /^[A-Za-z0-9!%*_+`'~.-]+$/;

/** Locates the end of the header section: returns [headEnd, bodyStart] or undefined. */
export function findHeaderEnd(buf: Buffer, from = 0): [number, number] | undefined {
  for (let i = from; i < buf.length - 1; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a) return [i, i + 2];
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return [i, i + 3];
  }
  return undefined;
}

/** The header section (text) and the bytes after its empty line; undefined for a message of CRLFs only. */
function splitMessage(buf: Buffer): { headText: string; bodyBuf: Buffer } | undefined {
  // RFC 3261 clause 7.5: ignore CRLFs before the start line.
  let start = 0;
  while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  if (start >= buf.length) return undefined;
  const end = findHeaderEnd(buf, start);
  return { headText: buf.toString('utf8', start, end ? end[0] : buf.length), bodyBuf: end ? buf.subarray(end[1]) : Buffer.alloc(0) };
}

export function parseMessage(input: Buffer | string, options: ParseOptions = {}): ParseResult {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const parts = splitMessage(buf);
  if (!parts) return { kind: 'drop', reason: 'Empty message' };
  const { headText, bodyBuf } = parts;
  // Unfold continuation lines (RFC 3261 clause 7.3.1: LWS including CRLF followed by SP/HT).
  const rawLines = headText.split(/\r?\n/);
  const lines: string[] = [];
  for (const line of rawLines) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && lines.length > 1) {
      lines[lines.length - 1] = `${lines[lines.length - 1]!.trimEnd()} ${line.trim()}`;
    } else lines.push(line);
  }
  const startLine = lines[0] ?? '';
  const req = /^([^\s]+) ([^\s]+) (SIP\/\d+\.\d+)\s*$/i.exec(startLine);
  const res = /^(SIP\/\d+\.\d+) (\d{3}) ?(.*)$/i.exec(startLine);
  if (!req && !res) return { kind: 'drop', reason: `Unparsable start line "${startLine.slice(0, 80)}"` };

  const headers = new SipHeaders();
  let headerError: string | undefined;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!name || !TOKEN.test(name)) {
      headerError ??= `Malformed header line "${line.slice(0, 40)}"`;
      continue;
    }
    appendValues(headers, name, line.slice(colon + 1).trim());
  }

  if (res) {
    if (headerError) return { kind: 'drop', reason: headerError };
    const status = Number(res[2]);
    if (res[1]!.toUpperCase() !== 'SIP/2.0' || status < 100 || status > 699) {
      return { kind: 'drop', reason: `Bad status line "${startLine.slice(0, 80)}"` };
    }
    const body = readBody(headers, bodyBuf, options);
    if (typeof body !== 'string') return { kind: 'drop', reason: body.error };
    const message: SipMessage = { kind: 'response', status, reason: res[3]!.trim(), headers, body };
    const problem = checkCommonHeaders(message);
    if (problem) return { kind: 'drop', reason: problem };
    return { kind: 'ok', message };
  }

  const [, method, uri, version] = req!;
  const message: SipRequest = { kind: 'request', method: method!, uri: detached(uri!), headers, body: '' };
  const bad = (status: number, reason: string): ParseResult => ({ kind: 'bad', status, reason, message });
  // Without the headers needed to route a response, nobody can be answered: drop.
  if (!headers.has('via') || !headers.has('call-id') || !headers.has('cseq')) {
    return { kind: 'drop', reason: 'Request without Via, Call-ID or CSeq' };
  }
  if (headerError) return bad(400, headerError);
  if (!METHOD.test(method!)) return bad(400, 'Bad Request Method');
  // RFC 3261 clause 8.2.2.1 (416 for an unsupported scheme) and clause 21.5.6 (505).
  if (version!.toUpperCase() !== 'SIP/2.0') return bad(505, 'Version Not Supported');
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri!)) return bad(400, 'Malformed Request-URI');
  if (!/^sips?:/i.test(uri!) && !/^tel:/i.test(uri!)) return bad(416, 'Unsupported URI Scheme');
  const body = readBody(headers, bodyBuf, options);
  if (typeof body !== 'string') return bad(400, body.error);
  message.body = body;
  const problem = checkCommonHeaders(message);
  if (problem) return bad(400, problem);
  return { kind: 'ok', message };
}

/**
 * Adds a header line's value: one value per element of a list header (RFC 3261 clause 7.3.1). Values
 * of their own, not views on the message text: a request's values end up in tables that outlive it
 * (transactions, dialogs, registrations; see detached.ts).
 */
function appendValues(headers: SipHeaders, name: string, value: string): void {
  if (isListHeader(name)) for (const v of splitList(value)) headers.append(name, detached(v));
  else headers.append(name, detached(value));
}

function readBody(headers: SipHeaders, bodyBuf: Buffer, options: ParseOptions): string | { error: string } {
  return readBodyOf(headers.getAll('content-length'), bodyBuf, options);
}

function readBodyOf(values: readonly string[], bodyBuf: Buffer, options: ParseOptions): string | { error: string } {
  if (values.length > 1) return { error: 'Multiple Content-Length headers' };
  if (values.length === 0) {
    // RFC 3261 clause 18.3 / 20.14: mandatory on streams; on datagrams the body runs to the end.
    if (options.stream && bodyBuf.length > 0) return { error: 'Missing Content-Length' };
    return bodyBuf.toString('utf8');
  }
  const text = values[0]!;
  if (!/^\d{1,9}$/.test(text)) return { error: 'Malformed Content-Length' };
  const length = Number(text);
  if (length > bodyBuf.length) return { error: 'Content-Length larger than message body' };
  return bodyBuf.toString('utf8', 0, length);
}

/** RFC 3261 clause 8.1.1: To, From, Call-ID, CSeq, Via (and their syntax). */
function checkCommonHeaders(message: SipMessage): string | undefined {
  const h = message.headers;
  for (const name of ['To', 'From', 'Call-ID', 'CSeq']) {
    const n = h.getAll(name).length;
    if (n === 0) return `Missing ${name} header`;
    if (n > 1) return `Multiple ${name} headers`;
  }
  if (h.getAll('via').length === 0) return 'Missing Via header';
  try {
    const cseq = parseCSeq(h.get('cseq')!);
    if (message.kind === 'request' && cseq.method !== message.method) return 'CSeq method does not match request method';
  } catch {
    return 'Malformed CSeq header';
  }
  try {
    parseNameAddr(h.get('from')!);
  } catch {
    return 'Malformed From header';
  }
  try {
    parseNameAddr(h.get('to')!);
  } catch {
    return 'Malformed To header';
  }
  if (!h.get('call-id')) return 'Empty Call-ID header';
  try {
    for (const v of h.getAll('via')) parseVia(v);
  } catch {
    return 'Malformed Via header';
  }
  return undefined;
}

/** Outcome of {@link parseResponse}: the response and its transaction key parts, or why it was dropped. */
export type ResponseParseResult =
  | { kind: 'ok'; message: SipResponse; branch: string; method: string }
  | { kind: 'drop'; reason: string };

/** Whether `buf` holds a response (`SIP/` after any leading CRLFs), not a request. */
export function isResponse(buf: Buffer): boolean {
  let i = 0;
  while (i < buf.length && (buf[i] === 0x0d || buf[i] === 0x0a)) i++;
  return buf[i] === 0x53 && buf[i + 1] === 0x49 && buf[i + 2] === 0x50 && buf[i + 3] === 0x2f; // "SIP/"
}

/**
 * A response read for the client transaction layer (RFC 3261 clause 17.1.3: matched by the top
 * Via's branch and the CSeq method), without building the header map: the header lines are split
 * and checked as {@link parseMessage} checks them (header-line syntax, status line, one To, From,
 * Call-ID and CSeq, a Via, CSeq and top-Via syntax, Content-Length), and `headers` is built on
 * first use. Our choice, for thousands of 200s to NOTIFYs: the From/To name-addr and the Vias below
 * the top one, which nothing here reads of a response, are not parsed.
 */
export function parseResponse(buf: Buffer, options: ParseOptions = {}): ResponseParseResult {
  const parts = splitMessage(buf);
  if (!parts) return { kind: 'drop', reason: 'Empty message' };
  const { headText, bodyBuf } = parts;
  // Lines, with continuation lines unfolded (RFC 3261 clause 7.3.1).
  const lines: string[] = [];
  for (let from = 0; from <= headText.length; ) {
    let nl = headText.indexOf('\n', from);
    if (nl < 0) nl = headText.length;
    const line = headText.charCodeAt(nl - 1) === 0x0d && nl > from ? headText.slice(from, nl - 1) : headText.slice(from, nl);
    from = nl + 1;
    const c = line.charCodeAt(0);
    if ((c === 0x20 || c === 0x09) && lines.length > 1) lines[lines.length - 1] = `${lines[lines.length - 1]!.trimEnd()} ${line.trim()}`;
    else lines.push(line);
  }
  const startLine = lines[0] ?? '';
  const res = /^(SIP\/\d+\.\d+) (\d{3}) ?(.*)$/i.exec(startLine);
  if (!res) return { kind: 'drop', reason: `Unparsable start line "${startLine.slice(0, 80)}"` };
  const status = Number(res[2]);
  if (res[1]!.toUpperCase() !== 'SIP/2.0' || status < 100 || status > 699) {
    return { kind: 'drop', reason: `Bad status line "${startLine.slice(0, 80)}"` };
  }
  const pairs: string[] = [];
  let topVia: string | undefined;
  let from = 0, to = 0, callIds = 0, cseqs = 0;
  let callId = '', cseq = '';
  const contentLength: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!name || !TOKEN.test(name)) return { kind: 'drop', reason: `Malformed header line "${line.slice(0, 40)}"` };
    const value = line.slice(colon + 1).trim();
    pairs.push(name, value);
    switch (headerKey(name)) {
      case 'via':
        topVia ??= value.includes(',') ? splitList(value)[0] : value;
        break;
      case 'from':
        from++;
        break;
      case 'to':
        to++;
        break;
      case 'call-id':
        callIds++;
        callId = value;
        break;
      case 'cseq':
        cseqs++;
        cseq = value;
        break;
      case 'content-length':
        contentLength.push(value);
        break;
    }
  }
  const body = readBodyOf(contentLength, bodyBuf, options);
  if (typeof body !== 'string') return { kind: 'drop', reason: body.error };
  for (const [name, n] of [['To', to], ['From', from], ['Call-ID', callIds], ['CSeq', cseqs]] as const) {
    if (n === 0) return { kind: 'drop', reason: `Missing ${name} header` };
    if (n > 1) return { kind: 'drop', reason: `Multiple ${name} headers` };
  }
  if (topVia === undefined) return { kind: 'drop', reason: 'Missing Via header' };
  let method: string;
  try {
    method = parseCSeq(cseq).method;
  } catch {
    return { kind: 'drop', reason: 'Malformed CSeq header' };
  }
  if (!callId) return { kind: 'drop', reason: 'Empty Call-ID header' };
  let branch: string;
  try {
    branch = parseVia(topVia).params.get('branch') ?? '';
  } catch {
    return { kind: 'drop', reason: 'Malformed Via header' };
  }
  return { kind: 'ok', message: new ParsedResponse(status, res[3]!.trim(), body, pairs), branch, method };
}

/**
 * A response from {@link parseResponse}: its header map is built from the raw name/value pairs the
 * first time `headers` is read. A class, not an object literal with an accessor: V8 builds such a
 * literal through the runtime on every call, which made this fast path slower than parseMessage.
 */
class ParsedResponse implements SipResponse {
  readonly kind = 'response';
  #headers: SipHeaders | undefined;
  /** Header names and values, alternating, in message order (dropped once the map is built). */
  #pairs: string[] | undefined;
  constructor(
    public status: number,
    public reason: string,
    public body: string,
    pairs: string[],
  ) {
    this.#pairs = pairs;
  }

  get headers(): SipHeaders {
    if (this.#headers === undefined) {
      const headers = new SipHeaders();
      const pairs = this.#pairs ?? [];
      for (let i = 0; i < pairs.length; i += 2) {
        appendValues(headers, pairs[i]!, pairs[i + 1]!);
      }
      this.#headers = headers;
      this.#pairs = undefined;
    }
    return this.#headers;
  }

  set headers(h: SipHeaders) {
    this.#headers = h;
    this.#pairs = undefined;
  }
}
