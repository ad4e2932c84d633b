/**
 * SIP tap: a Transport wrapper around the UE host's one UDP and TCP transport. Every datagram /
 * frame is attributed to a UE: a request the UE sends by the user part of its Contact (the UE
 * id), a request it receives by the Request-URI user part (NOTIFYs go to the Contact), anything
 * else (responses, in-dialog requests) by Call-ID learnt from the former.
 */
import type { ReceivedFrame, Target, Transport } from '@mcx/sip';
import type { Lanes } from './lanes.ts';
import type { MessageLog } from './message-log.ts';

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

export class SipTap {
  readonly #callIds = new Map<string, string>();
  readonly #byUe = new Map<string, string[]>();

  constructor(
    private readonly log: MessageLog,
    private readonly lanes: Lanes,
    /** Whether a user part is one of our UEs. */
    private readonly isUe: (id: string) => boolean,
  ) {}

  wrap(inner: Transport): Transport {
    const observe = (data: Buffer, direction: 'in' | 'out', peer: Target) => this.observe(data, direction, peer);
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
        observe(data, 'out', target);
        return inner.send(data, target);
      },
      onFrame(handler: (frame: ReceivedFrame) => void) {
        inner.onFrame((frame) => {
          observe(frame.data, 'in', frame.source);
          handler(frame);
        });
      },
      close: () => inner.close(),
    };
  }

  forget(ue: string): void {
    for (const id of this.#byUe.get(ue) ?? []) this.#callIds.delete(id);
    this.#byUe.delete(ue);
  }

  #learn(ue: string, callId: string): void {
    if (this.#callIds.get(callId) === ue) return;
    this.#callIds.set(callId, ue);
    let list = this.#byUe.get(ue);
    if (!list) this.#byUe.set(ue, (list = []));
    list.push(callId);
    if (list.length > 64) this.#callIds.delete(list.shift()!);
  }

  private observe(data: Buffer, direction: 'in' | 'out', peer: Target): void {
    if (!this.log.enabled) return;
    let h: Head;
    try {
      h = parseHead(data.toString('utf8'));
    } catch {
      return;
    }
    const callId = h.headers['call-id'] ?? '';
    const isResponse = h.startLine.startsWith('SIP/2.0');
    let ue: string | undefined;
    if (!isResponse) {
      const candidate = direction === 'out' ? userOf(h.headers['contact']) : userOf(h.startLine.split(' ')[1]);
      if (candidate && this.isUe(candidate)) ue = candidate;
    }
    ue ??= this.#callIds.get(callId);
    if (!ue) return;
    if (callId) this.#learn(ue, callId);
    const [a, b, ...rest] = h.startLine.split(' ');
    let summary: string;
    if (isResponse) summary = `${b} ${rest.join(' ')} (${(h.headers['cseq'] ?? '').split(' ')[1] ?? ''})`;
    else {
      const event = h.headers['event'] ? ` (${h.headers['event'].split(';')[0]})` : '';
      summary = `${a} ${b}${event}`;
    }
    this.log.record({ ue, direction, protocol: 'SIP', peer: this.lanes.sip(peer.host, peer.port), summary, startLine: h.startLine, headers: h.headers, body: h.body });
  }
}
