/**
 * What the sequence diagram draws, as pure functions of a UE's message log (docs/ue-host-api.md
 * "Message"): the lanes, each arrow's ends and marks (teardown, retransmission), the bands of the
 * procedure steps the UE host tagged the messages with, the rows' layout, and the text export.
 * No React, no DOM: unit-tested in diagram-model.test.ts.
 */
import type { Message } from '@mcx/ue-host-api';

/** Lanes like the figure of TS 24.484 4.2.2.1.2: the UE, then IdMS/CMS/GMS/MCS of each system; then any other peer met. */
export function lanesOf(systemIds: readonly string[], messages: readonly Message[]): string[] {
  const suffixes = systemIds.length ? systemIds.map((id) => (id.split('-').pop() ?? id).toUpperCase()) : ['A', 'B'];
  const lanes = ['UE'];
  for (const sfx of suffixes) for (const srv of ['IdMS', 'CMS', 'GMS', 'MCS']) lanes.push(`${srv}-${sfx}`);
  for (const m of messages) for (const l of [m.peer, m.from]) if (l && !lanes.includes(l)) lanes.push(l);
  return lanes;
}

/** Sender and receiver lane: the UE and its peer, or for a server-to-server leg (`from` set) the two servers. */
export function endsOf(m: Message): { from: string; to: string } {
  if (m.from) return { from: m.from, to: m.peer };
  return m.direction === 'out' ? { from: 'UE', to: m.peer } : { from: m.peer, to: 'UE' };
}

/**
 * What ends something rather than starting it:
 * - `unsubscribe`: a SUBSCRIBE with Expires: 0 (RFC 6665 clause 4.1.2.3), and the responses to it;
 * - `deregister`: a REGISTER with Expires: 0 or every Contact `expires=0` or `Contact: *` (RFC 3261
 *   clause 10.2.2), and the responses to it;
 * - `terminated`: a NOTIFY with Subscription-State: terminated (RFC 6665 clause 4.1.3).
 */
export type Teardown = 'unsubscribe' | 'deregister' | 'terminated';

/** One arrow: the message, its ends and its marks. */
export interface Arrow {
  message: Message;
  from: string;
  to: string;
  teardown?: Teardown;
  /**
   * A SIP message sent again by the same peer (RFC 3261 clause 17: a client transaction's
   * retransmission keeps Call-ID, CSeq and the top Via's branch; a server's retransmitted
   * response keeps them and its status): same direction, same lanes, same start-line method or
   * status, same Call-ID, CSeq and branch as an earlier one.
   */
  retransmission: boolean;
}

const isSipResponse = (m: Message) => m.startLine.startsWith('SIP/2.0');
const methodOf = (m: Message) => (isSipResponse(m) ? undefined : m.startLine.split(' ')[0]);
const header = (m: Message, name: string) => m.headers[name]?.trim();

/** The top Via's branch (RFC 3261 clause 8.1.1.7); parseHead joins repeated Vias with ", ". */
function branchOf(m: Message): string {
  const top = (header(m, 'via') ?? '').split(',')[0] ?? '';
  return /;\s*branch=([^;\s]+)/i.exec(top)?.[1] ?? '';
}

/** delta-seconds (RFC 3261 clause 25.1) that are zero: "0", "00"... */
const isZero = (v: string | undefined) => v !== undefined && /^0+$/.test(v);

function isZeroExpiryRegister(m: Message): boolean {
  if (isZero(header(m, 'expires'))) return true;
  const contact = header(m, 'contact');
  if (!contact) return false;
  if (contact === '*') return true;
  const contacts = contact.split(/,(?=\s*(?:<|sips?:|"))/);
  return contacts.every((c) => isZero(/;\s*expires\s*=\s*(\d+)/i.exec(c)?.[1]));
}

/** The teardown a request itself is (responses are matched to their request by {@link classify}). */
export function teardownOf(m: Message): Teardown | undefined {
  if (m.protocol !== 'SIP') return undefined;
  const method = methodOf(m);
  if (method === 'SUBSCRIBE' && isZero(header(m, 'expires'))) return 'unsubscribe';
  if (method === 'REGISTER' && isZeroExpiryRegister(m)) return 'deregister';
  if (method === 'NOTIFY' && /^terminated\b/i.test(header(m, 'subscription-state') ?? '')) return 'terminated';
  return undefined;
}

/** Arrows of a UE's messages in order, with their teardown and retransmission marks. */
export function classify(messages: readonly Message[]): Arrow[] {
  const seen = new Set<string>();
  /** Teardown requests by Call-ID + CSeq: their responses are teardown too. */
  const teardownRequests = new Map<string, Teardown>();
  return messages.map((message) => {
    const { from, to } = endsOf(message);
    if (message.protocol !== 'SIP') return { message, from, to, retransmission: false };
    const callId = header(message, 'call-id') ?? '';
    const cseq = (header(message, 'cseq') ?? '').replace(/\s+/g, ' ');
    const transaction = `${callId}\u0000${cseq}`;
    const first = isSipResponse(message) ? message.startLine.split(' ')[1] : methodOf(message);
    const key = [from, to, first, transaction, branchOf(message)].join('\u0000');
    const retransmission = callId !== '' && seen.has(key);
    seen.add(key);
    let teardown = teardownOf(message);
    if (teardown && !isSipResponse(message) && teardown !== 'terminated') teardownRequests.set(transaction, teardown);
    if (isSipResponse(message)) teardown = teardownRequests.get(transaction);
    return { message, from, to, retransmission, ...(teardown ? { teardown } : {}) };
  });
}

/** What an arrow's label says beyond the message's summary. */
export function marksOf(a: Arrow): string[] {
  const marks: string[] = [];
  if (a.teardown === 'unsubscribe') marks.push('(unsubscribe)');
  if (a.teardown === 'deregister') marks.push('(deregister)');
  if (a.teardown === 'terminated') marks.push('(subscription terminated)');
  if (a.retransmission) marks.push('retransmission');
  return marks;
}

/** A run of consecutive messages of one procedure (`kind: procedure`) or of one step of it (`kind: step`). */
export interface Band {
  kind: 'procedure' | 'step';
  /** The procedure ("migration to mcx-b"), or the step ("token-exchange"). */
  label: string;
  /** The step's clause (TS 24.484 ...), for a step band. */
  clause?: string;
  /** Indexes of its first and last message. */
  first: number;
  last: number;
}

/**
 * The bands around the messages the UE host tagged with a procedure step (Message `procedure`,
 * `step`, `clause`): one per run of consecutive messages of the same procedure, and inside it one
 * per run of the same step. Untagged messages (outside any procedure) are in no band.
 */
export function bandsOf(messages: readonly Message[]): Band[] {
  const bands: Band[] = [];
  let procedure: Band | undefined;
  let step: Band | undefined;
  messages.forEach((m, i) => {
    if (!m.procedure) {
      procedure = step = undefined;
      return;
    }
    if (procedure?.label === m.procedure) procedure.last = i;
    else {
      bands.push((procedure = { kind: 'procedure', label: m.procedure, first: i, last: i }));
      step = undefined;
    }
    const label = m.step ?? '';
    if (step?.label === label) step.last = i;
    else bands.push((step = { kind: 'step', label, ...(m.clause ? { clause: m.clause } : {}), first: i, last: i }));
  });
  return bands;
}

/** Vertical layout (px, our choice): a row per message, a header row before each band. */
export const LAYOUT = { top: 8, row: 26, bandHeader: 18 } as const;

/**
 * The y of each message's arrow and the box of each band: a band header row (its label) before
 * the first message of a procedure and of a step, so that labels never cover arrows.
 */
export function layout(count: number, bands: readonly Band[]): { ys: number[]; boxes: Array<Band & { y0: number; y1: number }>; height: number } {
  const headersBefore = new Array<number>(count).fill(0);
  for (const b of bands) headersBefore[b.first] = (headersBefore[b.first] ?? 0) + 1;
  const ys: number[] = [];
  const tops: number[] = [];
  let y = LAYOUT.top;
  for (let i = 0; i < count; i++) {
    tops.push(y);
    y += headersBefore[i]! * LAYOUT.bandHeader;
    ys.push(y + LAYOUT.row / 2 + 4);
    y += LAYOUT.row;
  }
  // A procedure's box starts above its steps' header rows; a step's box at its own header row.
  const boxes = bands.map((b) => {
    const y0 = b.kind === 'procedure' ? tops[b.first]! : tops[b.first]! + (headersBefore[b.first]! - 1) * LAYOUT.bandHeader;
    return { ...b, y0, y1: ys[b.last]! + LAYOUT.row / 2 - 2 };
  });
  return { ys, boxes, height: y + LAYOUT.top };
}

/** One message as text: a header line (seq, time, direction, lanes, protocol, step, marks), then the message itself. */
function messageText(a: Arrow): string {
  const m = a.message;
  const step = m.procedure ? `  [${m.procedure}${m.step ? `: ${m.step}` : ''}${m.clause ? `, ${m.clause}` : ''}]` : '';
  const marks = marksOf(a);
  const head = `#${m.seq} ${m.at} ${m.direction === 'out' ? 'sent' : 'received'} ${m.protocol} ${a.from} -> ${a.to}${step}${marks.length ? `  ${marks.join(' ')}` : ''}`;
  const headers = Object.entries(m.headers).map(([k, v]) => `${k}: ${v}`);
  return [head, m.startLine || m.summary, ...headers, '', m.body].join('\n').trimEnd();
}

/** A UE's message log as text for a bug report: one message after another, in order. */
export function exportText(ue: string, messages: readonly Message[], exportedAt = new Date().toISOString()): string {
  const arrows = classify(messages);
  const header = `Message log of ${ue}: ${messages.length} message${messages.length === 1 ? '' : 's'} (#${messages[0]?.seq ?? '-'} to #${messages.at(-1)?.seq ?? '-'}), exported ${exportedAt}; tokens redacted by the UE host.`;
  return [header, ...arrows.map(messageText)].join('\n\n' + '-'.repeat(72) + '\n') + '\n';
}
