/**
 * SIP tap: a Transport wrapper around the UE host's one UDP and TCP transport. Every datagram /
 * frame is attributed to a UE: a request the UE sends by the user part of its Contact (the UE
 * id), a request it receives by the Request-URI user part (NOTIFYs go to the Contact), anything
 * else (responses, in-dialog requests) by Call-ID learnt from the former. Attribution scans the
 * start line, Call-ID and Contact only; the message is parsed when someone reads it (message-log.ts).
 *
 * SIP faults (scenarios, our choice: a UE-side filter, not a network one): for a time, the
 * messages of one UE from or to one peer lane (CMS-A, MCS-B, ...) are dropped or delayed here, so
 * the retransmission and retry paths of both sides can be exercised. A dropped message is still
 * logged, its summary marked "[dropped by a fault]" ("[delayed N ms by a fault]").
 */
import { detached, type ReceivedFrame, type Target, type Transport } from '@mcx/sip';
import type { Lanes } from './lanes.ts';
import { MESSAGE_OVERHEAD_CHARS, type MessageInput, type MessageLog } from './message-log.ts';

interface Head {
  startLine: string;
  headers: Record<string, string>;
  body: string;
}

const COMPACT: Record<string, string> = { i: 'call-id', m: 'contact', f: 'from', t: 'to', c: 'content-type', l: 'content-length', v: 'via', o: 'event', u: 'allow-events' };

function parseHead(text: string): Head {
  const end = text.indexOf('\r\n\r\n');
  const head = end >= 0 ? text.slice(0, end) : text;
  const body = end >= 0 ? text.slice(end + 4) : '';
  const lines = head.split(/\r\n(?![ \t])/);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const c = line.indexOf(':');
    if (c <= 0) continue;
    let name = line.slice(0, c).trim().toLowerCase();
    name = COMPACT[name] ?? name;
    const v = line.slice(c + 1).trim();
    headers[name] = headers[name] ? `${headers[name]}, ${v}` : v;
  }
  return { startLine: lines[0] ?? '', headers, body };
}

const userOf = (uri: string | undefined) => (uri ? /sips?:([^@;>:]+)@/.exec(uri)?.[1] : undefined);

const CALL_ID = /\r\n(?:call-id|i)[ \t]*:[ \t]*([^\r\n]*)/i;
const CONTACT_USER = /\r\n(?:contact|m)[ \t]*:[^\r\n]*?sips?:([^@;>:\s]+)@/i;

/**
 * What attributing a message to its UE needs, found without parsing the message: the start line,
 * the Call-ID and (a request the UE sends) the user part of the Contact. The full parse (parseHead)
 * waits until someone reads the message (message-log.ts).
 */
function routingOf(text: string, direction: 'in' | 'out'): { startLine: string; isResponse: boolean; callId: string; user: string | undefined } {
  const lineEnd = text.indexOf('\r\n');
  const startLine = lineEnd >= 0 ? text.slice(0, lineEnd) : text;
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd >= 0 ? text.slice(0, headEnd) : text;
  const isResponse = startLine.startsWith('SIP/2.0');
  const callId = CALL_ID.exec(head)?.[1]?.trim() ?? '';
  let user: string | undefined;
  if (!isResponse) user = direction === 'out' ? CONTACT_USER.exec(head)?.[1] : userOf(startLine.split(' ')[1]);
  return { startLine, isResponse, callId, user };
}

/** The logged message of a SIP datagram / frame (parsed when read; `mark` tells what a fault did to it). */
function sipMessage(text: string, direction: 'in' | 'out', peer: string, mark: string): Omit<MessageInput, 'ue'> {
  const h = parseHead(text);
  const [a, b, ...rest] = h.startLine.split(' ');
  let summary: string;
  if (h.startLine.startsWith('SIP/2.0')) summary = `${b} ${rest.join(' ')} (${(h.headers['cseq'] ?? '').split(' ')[1] ?? ''})`;
  else {
    const event = h.headers['event'] ? ` (${h.headers['event'].split(';')[0]})` : '';
    summary = `${a} ${b}${event}`;
  }
  return { direction, protocol: 'SIP', peer, summary: summary + mark, startLine: h.startLine, headers: h.headers, body: h.body };
}

export interface SipFault {
  ue: string;
  /** Lane of the peer (Lanes.sip): IdMS-A, CMS-B, MCS-A, ... */
  peer: string;
  direction: 'in' | 'out' | 'both';
  action: 'drop' | 'delay';
  /** For `delay`. */
  delayMs: number;
  /** Until when (ms since the epoch). */
  until: number;
}

type Verdict = { action: 'drop' } | { action: 'delay'; ms: number } | undefined;

export class SipTap {
  readonly #faults: SipFault[] = [];
  readonly #callIds = new Map<string, string>();
  readonly #byUe = new Map<string, string[]>();
  /**
   * Each UE id seen, as a string of its own (`detached`): what the tables and the log keep. A Call-ID
   * or UE id cut from a datagram would keep its whole text (~1-2 KB) alive (issue #14, memory: 64
   * Call-IDs per UE, ~13 MB of SIP text at 1,000 UEs).
   */
  readonly #ueIds = new Map<string, string>();

  constructor(
    private readonly log: MessageLog,
    private readonly lanes: Lanes,
    /** Whether a user part is one of our UEs. */
    private readonly isUe: (id: string) => boolean,
  ) {}

  /** Drops or delays one UE's messages from/to one peer until `fault.until`. */
  addFault(fault: SipFault): void {
    this.#faults.push(fault);
  }

  #verdict(ue: string, direction: 'in' | 'out', lane: string): Verdict {
    const now = Date.now();
    for (let i = this.#faults.length - 1; i >= 0; i--) if (this.#faults[i]!.until <= now) this.#faults.splice(i, 1);
    const f = this.#faults.find((x) => x.ue === ue && x.peer === lane && (x.direction === 'both' || x.direction === direction));
    return f ? (f.action === 'drop' ? { action: 'drop' } : { action: 'delay', ms: f.delayMs }) : undefined;
  }

  wrap(inner: Transport): Transport {
    const observe = (data: Buffer, direction: 'in' | 'out', peer: Target) => this.observe(data, direction, peer);
    const later = (ms: number, fn: () => void) => setTimeout(fn, ms).unref?.();
    return {
      get protocol() {
        return inner.protocol;
      },
      get reliable() {
        return inner.reliable;
      },
      get local() {
        return inner.local;
      },
      send(data: Buffer, target: Target) {
        const verdict = observe(data, 'out', target);
        if (verdict?.action === 'drop') return Promise.resolve();
        if (verdict?.action === 'delay') {
          later(verdict.ms, () => void inner.send(data, target).catch(() => undefined));
          return Promise.resolve();
        }
        return inner.send(data, target);
      },
      onFrame(handler: (frame: ReceivedFrame) => void) {
        inner.onFrame((frame) => {
          const verdict = observe(frame.data, 'in', frame.source);
          if (verdict?.action === 'drop') return;
          if (verdict?.action === 'delay') later(verdict.ms, () => handler(frame));
          else handler(frame);
        });
      },
      close: () => inner.close(),
    };
  }

  forget(ue: string): void {
    for (const id of this.#byUe.get(ue) ?? []) this.#callIds.delete(id);
    this.#byUe.delete(ue);
    this.#ueIds.delete(ue);
  }

  /** The UE id `user` (cut from a message's text) as a string of its own. */
  #ueId(user: string): string {
    let id = this.#ueIds.get(user);
    if (id === undefined) this.#ueIds.set((id = detached(user)), id);
    return id;
  }

  #learn(ue: string, callId: string): void {
    if (this.#callIds.get(callId) === ue) return;
    callId = detached(callId);
    this.#callIds.set(callId, ue);
    let list = this.#byUe.get(ue);
    if (!list) this.#byUe.set(ue, (list = []));
    list.push(callId);
    if (list.length > 64) this.#callIds.delete(list.shift()!);
  }

  private observe(data: Buffer, direction: 'in' | 'out', peer: Target): Verdict {
    if (!this.log.enabled && this.#faults.length === 0) return undefined;
    const text = data.toString('utf8');
    const r = routingOf(text, direction);
    let ue = r.user !== undefined && this.isUe(r.user) ? this.#ueId(r.user) : undefined;
    ue ??= this.#callIds.get(r.callId);
    if (!ue) return undefined;
    if (r.callId) this.#learn(ue, r.callId);
    const verdict = this.#faults.length > 0 ? this.#verdict(ue, direction, this.lanes.sip(peer.host, peer.port)) : undefined;
    if (this.log.enabled) {
      const mark = !verdict ? '' : verdict.action === 'drop' ? ' [dropped by a fault]' : ` [delayed ${verdict.ms} ms by a fault]`;
      const lanes = this.lanes;
      this.log.recordLazy(ue, MESSAGE_OVERHEAD_CHARS + text.length, () => sipMessage(text, direction, lanes.sip(peer.host, peer.port), mark));
    }
    return verdict;
  }
}
