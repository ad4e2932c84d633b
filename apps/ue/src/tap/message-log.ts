/**
 * The message tap (docs/ue-host-api.md "Message"): every HTTP request/response and SIP message a
 * UE sends or receives, one arrow of the console's sequence diagram each. A bounded ring buffer
 * per UE (`perUe` messages; 0 keeps none) plus live listeners (the SSE stream). Secrets are
 * redacted before a message leaves the log. The taps build messages only while the log is `enabled`.
 *
 * Lazy (our choice, issue #14): a tap hands the log a cheap entry — the raw text or the objects it
 * already holds, a {@link MessageSource} — and the message is parsed, redacted and stamped only
 * when it is read (`since`, once, then kept built) or when a listener is attached (built at once
 * for it). A UE's log read after its migration is still complete; a migration nobody watches pays
 * for no parsing, redaction or date formatting.
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

/** Builds a message's parts from what the tap kept (raw SIP text, the HTTP exchange's objects); called at most once. */
export type MessageSource = () => Omit<MessageInput, 'ue'>;

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

/** Characters of a message's text (start line, summary, headers, body). */
export function textCharsOf(m: Pick<MessageInput, 'startLine' | 'summary' | 'headers' | 'body'>): number {
  let n = m.startLine.length + m.summary.length + m.body.length;
  for (const k in m.headers) n += k.length + m.headers[k]!.length;
  return n;
}

/** One recorded message: its source until it is built, then the message. */
interface Entry {
  readonly ue: string;
  readonly seq: number;
  /** When it was recorded (ms since the epoch). */
  readonly at: number;
  readonly tag: StepTag | undefined;
  /** Counted against the budget. */
  readonly chars: number;
  source: MessageSource | undefined;
  message: Message | undefined;
}

export class MessageLog {
  #seq = 0;
  readonly #rings = new Map<string, Entry[]>();
  readonly #listeners = new Set<(m: Message) => void>();
  /** The kept entries in the order they were recorded (at and after `#head`; some already gone from their ring). */
  #order: Entry[] = [];
  #head = 0;
  /** Messages in the rings and their characters. */
  #count = 0;
  #chars = 0;
  /** Entries that left their ring before their turn in `#order`. */
  #gone = new WeakSet<Entry>();
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

  /** A message built already (the server legs of apps/mcx, tests). */
  record(input: MessageInput): void {
    if (!this.enabled) return;
    const { ue, ...parts } = input;
    this.recordLazy(ue, MESSAGE_OVERHEAD_CHARS + textCharsOf(this.#cut(parts)), () => parts);
  }

  /**
   * A message of `ue` that `source` builds when someone reads it; `chars` is what it counts against
   * the budget (MESSAGE_OVERHEAD_CHARS + its text). The step the UE runs now tags it.
   */
  recordLazy(ue: string, chars: number, source: MessageSource): void {
    if (!this.enabled) return;
    const entry: Entry = { ue, seq: ++this.#seq, at: Date.now(), tag: this.#steps.get(ue), chars, source, message: undefined };
    if (this.perUe > 0) {
      let ring = this.#rings.get(ue);
      if (!ring) this.#rings.set(ue, (ring = []));
      ring.push(entry);
      this.#order.push(entry);
      this.#count += 1;
      this.#chars += chars;
      if (ring.length > this.perUe) this.#drop(ring.shift()!);
      while (this.#chars > this.maxChars && this.#head < this.#order.length) this.#evictOldest();
      this.#compact();
    }
    if (this.#listeners.size > 0) {
      const m = this.#build(entry);
      for (const l of this.#listeners) l(m);
    }
  }

  /** The body cut at `maxBody`. */
  #cut<T extends { body: string }>(parts: T): T {
    const body = parts.body;
    if (body.length <= this.maxBody) return parts;
    return { ...parts, body: `${body.slice(0, this.maxBody)}\n…(${body.length - this.maxBody} more characters)` };
  }

  /** The message of an entry: built (cut, redacted, stamped) the first time it is asked for. */
  #build(e: Entry): Message {
    if (e.message) return e.message;
    let parts: Omit<MessageInput, 'ue'>;
    try {
      parts = this.#cut(e.source!());
    } catch (err) {
      parts = { direction: 'in', protocol: 'SIP', peer: '', summary: `(unreadable message: ${(err as Error).message})`, startLine: '', headers: {}, body: '' };
    }
    const headers: Record<string, string> = {};
    for (const k in parts.headers) headers[k] = redact(parts.headers[k]!);
    const m: Message = { ue: e.ue, ...parts, ...e.tag, seq: e.seq, at: new Date(e.at).toISOString(), headers, body: redact(parts.body), summary: redact(parts.summary) };
    e.message = m;
    e.source = undefined;
    return m;
  }

  /** The step `ue` runs from now on (undefined: none); tags the messages recorded for it until the next call. */
  step(ue: string, tag: StepTag | undefined): void {
    if (tag) this.#steps.set(ue, tag);
    else this.#steps.delete(ue);
  }

  /** The kept messages of `ue` after `seq`, oldest first (built now when nobody read them before). */
  since(ue: string, seq = 0): Message[] {
    const out: Message[] = [];
    for (const e of this.#rings.get(ue) ?? []) if (e.seq > seq) out.push(this.#build(e));
    return out;
  }

  forget(ue: string): void {
    for (const e of this.#rings.get(ue) ?? []) this.#drop(e);
    this.#rings.delete(ue);
    this.#steps.delete(ue);
    this.#compact();
  }

  /** An entry left its ring: its characters no longer count (its `#order` entry is skipped later). */
  #drop(e: Entry): void {
    this.#gone.add(e);
    this.#count -= 1;
    this.#chars -= e.chars;
  }

  /** Drops the host's oldest message still kept: the first of its UE's ring when it is still there. */
  #evictOldest(): void {
    const e = this.#order[this.#head]!;
    this.#head += 1;
    if (this.#gone.has(e)) return; // already left its ring (overflow or forget)
    const ring = this.#rings.get(e.ue);
    if (ring?.[0] !== e) return;
    ring.shift();
    if (ring.length === 0) this.#rings.delete(e.ue);
    this.#count -= 1;
    this.#chars -= e.chars;
  }

  /** Keeps `#order` proportional to what is kept: consumed and dropped entries go once they outnumber the kept messages. */
  #compact(): void {
    if (this.#order.length <= 1024 || this.#order.length <= 2 * this.#count) return;
    this.#order = this.#order.slice(this.#head).filter((e) => !this.#gone.has(e));
    this.#head = 0;
  }

  listen(l: (m: Message) => void): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }
}
