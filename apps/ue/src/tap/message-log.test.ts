// The message log keeps a ring per UE and, across the host, at most `maxChars` characters: the
// oldest message of the host goes first, whichever UE sent it; a forgotten UE's messages stop counting.
import { describe, expect, it } from 'vitest';
import { MESSAGE_OVERHEAD_CHARS, MessageLog } from './message-log.ts';

const input = (ue: string, body: string) => ({ ue, direction: 'out' as const, protocol: 'SIP' as const, peer: 'CMS-A', summary: 'NOTIFY', startLine: 'NOTIFY sip:x SIP/2.0', headers: { 'call-id': 'c1' }, body });
/** Characters one message of `input` with a body of `n` characters counts. */
const costOf = (n: number) => MESSAGE_OVERHEAD_CHARS + 'NOTIFY'.length + 'NOTIFY sip:x SIP/2.0'.length + 'call-idc1'.length + n;

describe('MessageLog', () => {
  it('keeps the last perUe messages of each UE', () => {
    const log = new MessageLog(3, 1000);
    for (let i = 0; i < 10; i++) log.record(input('ue-1', `m${i}`));
    expect(log.since('ue-1').map((m) => m.body)).toEqual(['m7', 'm8', 'm9']);
    expect(log.size).toEqual({ messages: 3, chars: 3 * costOf(2) });
  });

  it('holds at most maxChars across the host, dropping the oldest message of any UE first', () => {
    const log = new MessageLog(500, 1000, 10 * costOf(100));
    for (let i = 0; i < 8; i++) log.record(input('ue-a', 'a'.repeat(100)));
    for (let i = 0; i < 8; i++) log.record(input('ue-b', 'b'.repeat(100)));
    expect(log.size).toEqual({ messages: 10, chars: 10 * costOf(100) });
    expect(log.since('ue-a')).toHaveLength(2);
    expect(log.since('ue-b')).toHaveLength(8);
    for (let i = 0; i < 2000; i++) log.record(input(`ue-${i % 7}`, 'c'.repeat(100)));
    expect(log.size.chars).toBeLessThanOrEqual(10 * costOf(100));
    expect(log.since('ue-a')).toEqual([]);
  });

  it('counts nothing of a forgotten UE: after many UEs come and go the log is empty', () => {
    const log = new MessageLog(50, 1000);
    for (let cycle = 0; cycle < 200; cycle++) {
      for (let i = 0; i < 60; i++) log.record(input(`ue-${cycle}`, `m${i}`));
      log.forget(`ue-${cycle}`);
    }
    expect(log.size).toEqual({ messages: 0, chars: 0 });
    log.record(input('ue-last', 'x'));
    expect(log.since('ue-last').map((m) => m.body)).toEqual(['x']);
  });

  it('tags each message with the step its UE runs when it is recorded, and nothing once the step ended', () => {
    const log = new MessageLog(10, 1000);
    log.record(input('ue-1', 'before'));
    log.step('ue-1', { procedure: 'migration to mcx-b', step: 'token-exchange', clause: 'TS 24.484 4.2.2.1.2.1' });
    log.record(input('ue-1', 'during'));
    log.record(input('ue-2', 'other UE'));
    log.step('ue-1', undefined);
    log.record(input('ue-1', 'after'));
    const tags = (ue: string) => log.since(ue).map((m) => [m.body, m.procedure, m.step, m.clause]);
    expect(tags('ue-1')).toEqual([
      ['before', undefined, undefined, undefined],
      ['during', 'migration to mcx-b', 'token-exchange', 'TS 24.484 4.2.2.1.2.1'],
      ['after', undefined, undefined, undefined],
    ]);
    expect(tags('ue-2')).toEqual([['other UE', undefined, undefined, undefined]]);
  });
});
