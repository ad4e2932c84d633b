/**
 * The message tap (docs/ue-host-api.md "Message"): every HTTP request/response and SIP message a
 * UE sends or receives, one arrow of the console's sequence diagram each. A bounded ring buffer
 * per UE (`perUe` messages; 0 keeps none) plus live listeners (the SSE stream). Secrets are
 * redacted before storage. The taps build messages only while the log is `enabled`.
 *
 * The rings together hold at most `maxChars` characters of message text (start line, headers,
 * body, plus {@link MESSAGE_OVERHEAD_CHARS} per message): past it the oldest message of the
 * whole host goes first, whichever UE it belongs to. Without that bound the log grows with the
 * number of UEs times `perUe` (50 UEs × 500 messages of ~2 KB of heap each: ~50 MB once a soak has
 * filled every ring), which `mcx bench soak` showed as growth after warm-up.
 */
import type { Message } from '@mcx/ue-host-api';
import { redact } from './redact.ts';

export type { Message } from '@mcx/ue-host-api';

export type MessageInput = Omit<Message, 'seq' | 'at' | 'body' | 'headers' | 'procedure' | 'step' | 'clause'> & { headers: Record<string, string>; body: string };

/** The procedure step a UE is running: every message recorded for it meanwhile carries it (docs/ue-host-api.md "Message"). */
export type StepTag = Pick<Message, 'procedure' | 'step' | 'clause'>;

/**
 * Budget of the whole log (characters; our choice: ~5,000 messages of a migration, the recent
 * traffic of 50 UEs, ~10 MB of heap; a handful of UEs keep their full `perUe` rings).
 */
export const MESSAGE_LOG_MAX_CHARS = 8 * 1024 * 1024;
/**
 * What a message costs beyond its text, counted against the budget (characters; measured: a tapped
 * SIP message takes ~1 KB of heap besides its text, for its objects, header slices and hidden class).
 */
export const MESSAGE_OVERHEAD_CHARS = 1024;

function charsOf(m: Message): number {
  let n = MESSAGE_OVERHEAD_CHARS + m.startLine.length + m.summary.length + m.body.length;
  for (const [k, v] of Object.entries(m.headers)) n += k.length + v.length;
  return n;
}

export class MessageLog {
  #seq = 0;
  readonly #rings = new Map<string, Message[]>();
  readonly #listeners = new Set<(m: Message) => void>();
  /** The kept messages in the order they were recorded (entries at and after `#head`; some already gone from their ring). */
  #order: Array<{ m: Message; chars: number }> = [];
  #head = 0;
  /** Messages in the rings and their characters. */
  #count = 0;
  #chars = 0;
  /** Messages that left their ring before their turn in `#order`. */
  #gone = new WeakSet<Message>();
  /** The step each UE's procedure runs now (absent: none). */
  readonly #steps = new Map<string, StepTag>();

  constructor(
    readonly perUe: number,
    readonly maxBody: number,
    /** Characters the rings hold together (oldest message of the host dropped first). */
    readonly maxChars: number = MESSAGE_LOG_MAX_CHARS,
  ) {}

  /** Messages kept and their characters (for tests and metrics). */
  get size(): { messages: number; chars: number } {
    return { messages: this.#count, chars: this.#chars };
  }

  /** Someone keeps (the ring buffers) or listens to (the SSE stream) messages. */
  get enabled(): boolean {
    return this.perUe > 0 || this.#listeners.size > 0;
  }

  record(input: MessageInput): void {
    if (!this.enabled) return;
    let body = input.body;
    if (body.length > this.maxBody) body = `${body.slice(0, this.maxBody)}\n…(${body.length - this.maxBody} more characters)`;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(input.headers)) headers[k] = redact(v);
    const m: Message = { ...input, ...this.#steps.get(input.ue), seq: ++this.#seq, at: new Date().toISOString(), headers, body: redact(body), summary: redact(input.summary) };
    if (this.perUe > 0) {
      let ring = this.#rings.get(m.ue);
      if (!ring) this.#rings.set(m.ue, (ring = []));
      ring.push(m);
      const chars = charsOf(m);
      this.#order.push({ m, chars });
      this.#count += 1;
      this.#chars += chars;
      if (ring.length > this.perUe) this.#drop(ring.shift()!);
      while (this.#chars > this.maxChars && this.#head < this.#order.length) this.#evictOldest();
      this.#compact();
    }
    for (const l of this.#listeners) l(m);
  }

  /** The step `ue` runs from now on (undefined: none); tags the messages recorded for it until the next call. */
  step(ue: string, tag: StepTag | undefined): void {
    if (tag) this.#steps.set(ue, tag);
    else this.#steps.delete(ue);
  }

  since(ue: string, seq = 0): Message[] {
    return (this.#rings.get(ue) ?? []).filter((m) => m.seq > seq);
  }

  forget(ue: string): void {
    for (const m of this.#rings.get(ue) ?? []) this.#drop(m);
    this.#rings.delete(ue);
    this.#steps.delete(ue);
    this.#compact();
  }

  /** A message left its ring: its characters no longer count (its `#order` entry is skipped later). */
  #drop(m: Message): void {
    this.#gone.add(m);
    this.#count -= 1;
    this.#chars -= charsOf(m);
  }

  /** Drops the host's oldest message still kept: the first of its UE's ring when it is still there. */
  #evictOldest(): void {
    const { m, chars } = this.#order[this.#head]!;
    this.#head += 1;
    if (this.#gone.has(m)) return; // already left its ring (overflow or forget)
    const ring = this.#rings.get(m.ue);
    if (ring?.[0] !== m) return;
    ring.shift();
    if (ring.length === 0) this.#rings.delete(m.ue);
    this.#count -= 1;
    this.#chars -= chars;
  }

  /** Keeps `#order` proportional to what is kept: consumed and dropped entries go once they outnumber the kept messages. */
  #compact(): void {
    if (this.#order.length <= 1024 || this.#order.length <= 2 * this.#count) return;
    this.#order = this.#order.slice(this.#head).filter(({ m }) => !this.#gone.has(m));
    this.#head = 0;
  }

  listen(l: (m: Message) => void): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }
}
