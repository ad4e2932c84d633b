/**
 * The message tap (docs/ue-host-api.md "Message"): every HTTP request/response and SIP message a
 * UE sends or receives, one arrow of the console's sequence diagram each. A bounded ring buffer
 * per UE (`perUe` messages; 0 keeps none) plus live listeners (the SSE stream). Secrets are
 * redacted before storage. The taps build messages only while the log is `enabled`.
 */
import type { Message } from '@mcx/ue-host-api';
import { redact } from './redact.ts';

export type { Message } from '@mcx/ue-host-api';

export type MessageInput = Omit<Message, 'seq' | 'at' | 'body' | 'headers'> & { headers: Record<string, string>; body: string };

export class MessageLog {
  #seq = 0;
  readonly #rings = new Map<string, Message[]>();
  readonly #listeners = new Set<(m: Message) => void>();

  constructor(
    readonly perUe: number,
    readonly maxBody: number,
  ) {}

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
    const m: Message = { ...input, seq: ++this.#seq, at: new Date().toISOString(), headers, body: redact(body), summary: redact(input.summary) };
    if (this.perUe > 0) {
      let ring = this.#rings.get(m.ue);
      if (!ring) this.#rings.set(m.ue, (ring = []));
      ring.push(m);
      if (ring.length > this.perUe) ring.splice(0, ring.length - this.perUe);
    }
    for (const l of this.#listeners) l(m);
  }

  since(ue: string, seq = 0): Message[] {
    return (this.#rings.get(ue) ?? []).filter((m) => m.seq > seq);
  }

  forget(ue: string): void {
    this.#rings.delete(ue);
  }

  listen(l: (m: Message) => void): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }
}
