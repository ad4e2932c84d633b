/**
 * The state of one UE and its dispatch: an event goes to the handler of the current state
 * (state-handlers.ts), which answers with the next state from the transition table
 * (transitions.ts). A refused event leaves the state unchanged, is logged (warn, with state and
 * event) and counted (`refused`); `dispatch` returns false for it.
 */
import type { Logger } from 'pino';
import { STATE_HANDLERS, type HandlerRecord, type UeEvent } from './state-handlers.ts';
import type { UeState } from './states.ts';

/** Transitions kept in memory (a snapshot shows the last 30). */
const HISTORY = 100;

export interface HistoryEntry {
  at: string;
  state: UeState;
  text?: string;
}

export class UeStateMachine implements HandlerRecord {
  state: UeState = 'NONE';
  error: HandlerRecord['error'] = null;
  lastEvent: { at: string; text: string } | null = null;
  /** The last state transitions (bounded), oldest first. */
  readonly history: HistoryEntry[] = [];
  /** Events refused since the UE was created (no entry in the table for the state they arrived in). */
  refused = 0;

  constructor(
    readonly ueId: string,
    readonly logger: Logger,
    /** Called after every change (state or event text). */
    readonly changed: () => void,
  ) {}

  dispatch(event: UeEvent): boolean {
    const from = this.state;
    const to = STATE_HANDLERS[from](this, event);
    if (to === undefined) {
      this.refused += 1;
      this.logger.warn({ ue: this.ueId, state: from, event: event.type, refused: this.refused }, `event ${event.type} refused in state ${from}`);
      return false;
    }
    this.state = to;
    this.history.push({ at: new Date().toISOString(), state: to, ...(event.text ? { text: event.text } : {}) });
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    if (event.text) this.note(event.text, false);
    this.logger.debug({ ue: this.ueId, from, event: event.type, state: to }, event.text ?? 'state');
    this.changed();
    return true;
  }

  /** Something worth telling that is no transition (`lastEvent`, info log). */
  note(text: string, notify = true): void {
    this.lastEvent = { at: new Date().toISOString(), text };
    this.logger.info({ ue: this.ueId, state: this.state }, text);
    if (notify) this.changed();
  }
}
