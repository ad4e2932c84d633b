/**
 * Dialog state (RFC 3261 clause 12): identified by Call-ID, local tag and remote tag; keeps
 * the route set, the remote target and both CSeq counters.
 */
import { createRequest, type SipRequest } from './message/message.ts';
import { formatNameAddr, parseNameAddr } from './message/name-addr.ts';
import { parseUri } from './message/uri.ts';
import { parseCSeq } from './message/cseq.ts';
import { targetFromUri } from './target.ts';
import type { Target, TransportProtocol } from './transport/transport.ts';

export interface DialogState {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From/To URIs of this side and the peer (RFC 3261 clause 12.1.1: local URI, remote URI). */
  localUri: string;
  remoteUri: string;
  /** Last CSeq number sent in this dialog. */
  localSeq: number;
  /** Last CSeq number received in this dialog (undefined: none yet). */
  remoteSeq: number | undefined;
  /** Contact URI of the peer (RFC 3261 clause 12.1.1 remote target). */
  remoteTarget: string;
  /** Route set, in the order the next request must carry it. */
  routeSet: string[];
  /** Transport used when the remote target does not name one. */
  transport: TransportProtocol;
}

/** The dialog ID as one string (RFC 3261 clause 12). */
export function dialogId(callId: string, localTag: string, remoteTag: string): string {
  return `${callId};${localTag};${remoteTag}`;
}

export class DialogError extends Error {}

function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return parseNameAddr(value).params.get('tag') || undefined;
}

export function fromTag(request: { headers: { get(n: string): string | undefined } }): string | undefined {
  return tagOf(request.headers.get('from'));
}

export function toTag(message: { headers: { get(n: string): string | undefined } }): string | undefined {
  return tagOf(message.headers.get('to'));
}

function contactUri(request: SipRequest | { headers: { get(n: string): string | undefined } }): string {
  const contact = request.headers.get('contact');
  if (!contact) throw new DialogError('Missing Contact header');
  const uri = parseNameAddr(contact).uri;
  parseUri(uri); // RFC 3261 clause 8.1.1.8: a SIP or SIPS URI
  return uri;
}

/** Remote target of a dialog-creating or target-refresh message (RFC 3261 clause 12.2). */
export function remoteTargetOf(message: { headers: { get(n: string): string | undefined } }): string {
  return contactUri(message);
}

/**
 * UAS side (RFC 3261 clause 12.1.1): the dialog a 2xx to `request` creates; also used by a
 * subscriber when the first NOTIFY creates the dialog (RFC 6665 clause 4.1.2.4).
 */
export function createUasDialog(request: SipRequest, localTag: string, transport: TransportProtocol, localSeq: number): DialogState {
  const remoteTag = fromTag(request);
  if (!remoteTag) throw new DialogError('Missing From tag');
  return {
    callId: request.headers.get('call-id')!,
    localTag,
    remoteTag,
    localUri: parseNameAddr(request.headers.get('to')!).uri,
    remoteUri: parseNameAddr(request.headers.get('from')!).uri,
    localSeq,
    remoteSeq: parseCSeq(request.headers.get('cseq')!).seq,
    remoteTarget: contactUri(request),
    routeSet: [...request.headers.getAll('record-route')].map((r) => parseNameAddr(r).uri),
    transport,
  };
}

/** Checks and records the CSeq of an in-dialog request (RFC 3261 clause 12.2.2: lower => 500). */
export function acceptRemoteSeq(dialog: DialogState, request: SipRequest): boolean {
  const seq = parseCSeq(request.headers.get('cseq')!).seq;
  if (dialog.remoteSeq !== undefined && seq <= dialog.remoteSeq) return false;
  dialog.remoteSeq = seq;
  return true;
}

/**
 * Builds a request within the dialog (RFC 3261 clause 12.2.1.1): Request-URI, Route, From/To
 * with tags, Call-ID and the next local CSeq; returns it with its next hop.
 */
/** Where a request within the dialog goes (RFC 3261 clause 12.2.1.1): its Request-URI, Route set and next hop. */
export interface InDialogRouting {
  uri: string;
  /** Route header values in order (URIs without `<>`). */
  routes: string[];
  target: Target;
}

/**
 * RFC 3261 clause 12.2.1.1: with an empty route set or a loose first route (`lr`), the Request-URI is
 * the remote target; with a strict first route, that route becomes the Request-URI and the remote
 * target the last route. The next hop is the first route, else the Request-URI.
 */
export function inDialogRouting(dialog: DialogState): InDialogRouting {
  let uri = dialog.remoteTarget;
  let routes = dialog.routeSet;
  const first = routes[0];
  const loose = first !== undefined && parseUri(first).params.has('lr');
  if (first !== undefined && !loose) {
    uri = first;
    routes = [...routes.slice(1), dialog.remoteTarget];
  }
  const nextHop = routes.length && loose ? routes[0]! : uri;
  return { uri, routes, target: targetFromUri(nextHop, dialog.transport) };
}

/**
 * Builds a request within the dialog (RFC 3261 clause 12.2.1.1): Request-URI, Route, From/To
 * with tags, Call-ID and the next local CSeq; returns it with its next hop.
 */
export function createInDialogRequest(
  dialog: DialogState,
  method: string,
  contact: string,
  extra?: Record<string, string | readonly string[] | undefined>,
  body = '',
): { request: SipRequest; target: Target } {
  dialog.localSeq += 1;
  const { uri, routes, target } = inDialogRouting(dialog);
  const request = createRequest(method, uri, {
    From: formatNameAddr({ uri: dialog.localUri, params: new Map([['tag', dialog.localTag]]) }),
    To: formatNameAddr({ uri: dialog.remoteUri, params: new Map([['tag', dialog.remoteTag]]) }),
    'Call-ID': dialog.callId,
    CSeq: `${dialog.localSeq} ${method}`,
    'Max-Forwards': '70',
    Contact: contact,
  }, body);
  if (routes.length) request.headers.set('Route', routes.map((r) => `<${r}>`));
  if (extra) for (const [name, value] of Object.entries(extra)) if (value !== undefined) request.headers.set(name, value);
  return { request, target };
}
