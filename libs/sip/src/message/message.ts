/**
 * SIP messages (RFC 3261 clause 7): requests and responses with headers and a text body.
 */
import { SipHeaders, type HeaderInit } from './headers.ts';

export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: SipHeaders;
  body: string;
}

export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: SipHeaders;
  body: string;
  /** Set when the response was generated locally (timeout = 408, transport error = 503; RFC 3261 clause 8.1.3.1). */
  local?: boolean;
}

export type SipMessage = SipRequest | SipResponse;

/** Default reason phrases (RFC 3261 clause 21, RFC 6665 clause 8.3.1 for 489). */
export const REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying', 180: 'Ringing', 200: 'OK', 202: 'Accepted', 204: 'No Notification',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 408: 'Request Timeout',
  413: 'Request Entity Too Large', 415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme',
  420: 'Bad Extension', 423: 'Interval Too Brief', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected', 483: 'Too Many Hops',
  489: 'Bad Event', 500: 'Server Internal Error', 501: 'Not Implemented',
  503: 'Service Unavailable', 505: 'Version Not Supported',
};

export function createRequest(method: string, uri: string, headers?: HeaderInit, body = ''): SipRequest {
  return { kind: 'request', method, uri, headers: new SipHeaders(headers), body };
}

/**
 * Builds a response to `request` (RFC 3261 clause 8.2.6.2): copies Via, From, To, Call-ID and
 * CSeq; adds `toTag` to To if To has no tag yet.
 */
export function createResponse(
  request: SipRequest,
  status: number,
  reason?: string,
  options: { toTag?: string; headers?: HeaderInit; body?: string } = {},
): SipResponse {
  const headers = new SipHeaders();
  headers.set('Via', request.headers.getAll('via'));
  for (const name of ['From', 'To', 'Call-ID', 'CSeq']) {
    const v = request.headers.get(name);
    if (v !== undefined) headers.set(name, v);
  }
  const to = headers.get('to');
  if (options.toTag && to !== undefined && !/;\s*tag\s*=/i.test(to)) headers.set('To', `${to};tag=${options.toTag}`);
  if (options.headers) for (const [name, values] of new SipHeaders(options.headers)) headers.set(name, values);
  return {
    kind: 'response',
    status,
    reason: reason ?? REASON_PHRASES[status] ?? 'Unknown',
    headers,
    body: options.body ?? '',
  };
}
