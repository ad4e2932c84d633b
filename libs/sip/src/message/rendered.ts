/**
 * A request rendered to text once, but for its top Via and Content-Length, which the endpoint adds
 * when it sends it (RFC 3261 clause 8.1.1.7: a new branch per client transaction; clause 20.14:
 * Content-Length counts the body's bytes). A notifier renders the fixed header lines of a dialog
 * once, so that a NOTIFY costs one string concatenation (CSeq, Subscription-State) and one Buffer,
 * not a header map serialized per message (our choice, for fan-outs to thousands of dialogs).
 */

export interface RenderedRequest {
  readonly method: string;
  /** `METHOD Request-URI SIP/2.0`, without CRLF. */
  readonly requestLine: string;
  /**
   * The header lines that follow the top Via, each ending in CRLF, without Content-Length. They
   * must include Max-Forwards (RFC 3261 clause 8.1.1.6); the endpoint adds only Via, its
   * User-Agent and Content-Length.
   */
  readonly headerLines: string;
  readonly body: Buffer;
  /**
   * UTF-8 bytes of `requestLine` plus `headerLines`, when the renderer knows them (it rendered the
   * fixed lines once): saves measuring the text per message.
   */
  readonly headBytes?: number;
}

function headBytesOf(r: RenderedRequest): number {
  return r.headBytes ?? Buffer.byteLength(r.requestLine, 'utf8') + Buffer.byteLength(r.headerLines, 'utf8');
}

/** The bytes of a rendered request once `via` (a Via value) and `extraLines` (CRLF-ended lines) are added. */
export function renderRequest(r: RenderedRequest, via: string, extraLines = ''): Buffer {
  const tail = `${extraLines}Content-Length: ${r.body.length}\r\n\r\n`;
  const head = `${r.requestLine}\r\nVia: ${via}\r\n${r.headerLines}${tail}`;
  const headBytes = headBytesOf(r) + 9 + Buffer.byteLength(via, 'utf8') + Buffer.byteLength(tail, 'utf8');
  const out = Buffer.allocUnsafe(headBytes + r.body.length);
  const written = out.write(head, 0, headBytes, 'utf8');
  if (written !== headBytes) throw new Error(`rendered ${r.method}: headBytes does not match its text`);
  r.body.copy(out, headBytes);
  return out;
}

/**
 * Size of the rendered request without its Via, as {@link serializeMessage} counts a request
 * before the endpoint adds the Via (what RFC 3261 clause 18.1.1 size selection measures here).
 */
export function renderedSize(r: RenderedRequest): number {
  return headBytesOf(r) + 2 + 20 + String(r.body.length).length + r.body.length;
}
