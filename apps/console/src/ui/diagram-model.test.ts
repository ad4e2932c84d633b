// The sequence diagram's model: teardown and retransmission marks, the step bands of a migration,
// the rows' layout and the text export, from message logs shaped as the UE host's tap records them.
import type { Message } from '@mcx/ue-host-api';
import { describe, expect, it } from 'vitest';
import { bandsOf, classify, exportText, LAYOUT, lanesOf, layout, marksOf, teardownOf } from './diagram-model.ts';

let seq = 0;
function sip(direction: 'in' | 'out', peer: string, startLine: string, headers: Record<string, string>, extra: Partial<Message> = {}): Message {
  seq += 1;
  return { seq, ue: 'ue-alice', at: `2026-11-30T12:00:${String(seq).padStart(2, '0')}.000Z`, direction, protocol: 'SIP', peer, summary: startLine.split(' ').slice(0, 2).join(' '), startLine, headers, body: '', ...extra };
}
function http(direction: 'in' | 'out', peer: string, startLine: string, extra: Partial<Message> = {}): Message {
  seq += 1;
  return { seq, ue: 'ue-alice', at: `2026-11-30T12:01:${String(seq).padStart(2, '0')}.000Z`, direction, protocol: 'HTTP', peer, summary: startLine, startLine, headers: {}, body: '', ...extra };
}
const subscribe = (expires: string, branch = 'z9hG4bK1', cseq = '1 SUBSCRIBE') =>
  sip('out', 'CMS-B', 'SUBSCRIBE sip:cms@127.0.0.1:5202 SIP/2.0', { via: `SIP/2.0/UDP 127.0.0.1:5300;branch=${branch}`, 'call-id': 'c1', cseq, expires, event: 'xcap-diff' });
const ok = (cseq: string, branch = 'z9hG4bK1', peer = 'CMS-B') => sip('in', peer, 'SIP/2.0 200 OK', { via: `SIP/2.0/UDP 127.0.0.1:5300;branch=${branch}`, 'call-id': 'c1', cseq });

describe('teardown', () => {
  it('marks a SUBSCRIBE with Expires: 0 and its 200 as an unsubscribe, not the subscription itself', () => {
    const arrows = classify([subscribe('3600'), ok('1 SUBSCRIBE'), subscribe('0', 'z9hG4bK2', '2 SUBSCRIBE'), ok('2 SUBSCRIBE', 'z9hG4bK2')]);
    expect(arrows.map((a) => a.teardown)).toEqual([undefined, undefined, 'unsubscribe', 'unsubscribe']);
    expect(marksOf(arrows[2]!)).toEqual(['(unsubscribe)']);
  });

  it('marks a REGISTER with Expires: 0, with every Contact expires=0, or with Contact: * as a deregistration', () => {
    const register = (headers: Record<string, string>) => sip('out', 'MCS-A', 'REGISTER sip:mcs-a SIP/2.0', { 'call-id': 'r', cseq: '1 REGISTER', ...headers });
    expect(teardownOf(register({ expires: '0' }))).toBe('deregister');
    expect(teardownOf(register({ contact: '*', expires: '0' }))).toBe('deregister');
    expect(teardownOf(register({ contact: '<sip:alice@127.0.0.1:5300>;expires=0' }))).toBe('deregister');
    expect(teardownOf(register({ contact: '<sip:alice@127.0.0.1:5300>;expires=0, <sip:alice@10.0.0.1>;expires=600' }))).toBeUndefined();
    expect(teardownOf(register({ expires: '600' }))).toBeUndefined();
    expect(teardownOf(register({ contact: '<sip:alice@127.0.0.1:5300>;expires=00' }))).toBe('deregister');
    expect(teardownOf(register({ contact: '<sip:alice@127.0.0.1:5300>;expires=05' }))).toBeUndefined();
    expect(teardownOf(register({ contact: '<sip:alice@127.0.0.1:5300>;expires=3600' }))).toBeUndefined();
  });

  it('marks a NOTIFY that terminates the subscription; an active one and HTTP are never teardown', () => {
    expect(teardownOf(sip('in', 'CMS-B', 'NOTIFY sip:alice SIP/2.0', { 'subscription-state': 'terminated;reason=timeout' }))).toBe('terminated');
    expect(teardownOf(sip('in', 'CMS-B', 'NOTIFY sip:alice SIP/2.0', { 'subscription-state': 'active;expires=3600' }))).toBeUndefined();
    expect(teardownOf(http('out', 'CMS-B', 'DELETE /x', { headers: { expires: '0' } }))).toBeUndefined();
  });
});

describe('retransmission', () => {
  it('marks a request sent again with the same Call-ID, CSeq and branch to the same peer, and a repeated response', () => {
    const arrows = classify([subscribe('3600'), subscribe('3600'), ok('1 SUBSCRIBE'), ok('1 SUBSCRIBE')]);
    expect(arrows.map((a) => a.retransmission)).toEqual([false, true, false, true]);
    expect(marksOf(arrows[1]!)).toEqual(['retransmission']);
  });

  it('does not mark a new transaction (another CSeq or branch), another peer, or a different status', () => {
    const arrows = classify([
      subscribe('3600'),
      subscribe('3600', 'z9hG4bK9', '2 SUBSCRIBE'), // a refresh: new CSeq and branch
      sip('out', 'CMS-A', 'SUBSCRIBE sip:cms@127.0.0.1:5201 SIP/2.0', { via: 'SIP/2.0/UDP 127.0.0.1:5300;branch=z9hG4bK1', 'call-id': 'c1', cseq: '1 SUBSCRIBE', expires: '3600' }),
      sip('in', 'CMS-B', 'SIP/2.0 100 Trying', { via: 'SIP/2.0/UDP 127.0.0.1:5300;branch=z9hG4bK1', 'call-id': 'c1', cseq: '1 SUBSCRIBE' }),
      ok('1 SUBSCRIBE'),
      http('out', 'IdMS-B', 'POST /token'),
      http('out', 'IdMS-B', 'POST /token'),
    ]);
    expect(arrows.map((a) => a.retransmission)).toEqual([false, false, false, false, false, false, false]);
  });

  it('marks the retransmitted unsubscribe both ways', () => {
    const arrows = classify([subscribe('0', 'z9hG4bK3', '3 SUBSCRIBE'), subscribe('0', 'z9hG4bK3', '3 SUBSCRIBE')]);
    expect(arrows.map(marksOf)).toEqual([['(unsubscribe)'], ['(unsubscribe)', 'retransmission']]);
  });
});

describe('lanes and ends', () => {
  it('has the UE, then IdMS/CMS/GMS/MCS of each system, then any other peer; a server-to-server leg goes between servers', () => {
    const leg = sip('out', 'MCS-A', 'MESSAGE sip:mcs-a SIP/2.0', {}, { from: 'MCS-B' });
    const unknown = http('out', '127.0.0.1:9999', 'GET /x');
    expect(lanesOf(['mcx-a', 'mcx-b'], [leg, unknown])).toEqual(['UE', 'IdMS-A', 'CMS-A', 'GMS-A', 'MCS-A', 'IdMS-B', 'CMS-B', 'GMS-B', 'MCS-B', '127.0.0.1:9999']);
    expect(classify([leg, ok('1 SUBSCRIBE')]).map((a) => [a.from, a.to])).toEqual([['MCS-B', 'MCS-A'], ['CMS-B', 'UE']]);
  });
});

describe('step bands', () => {
  const tag = (step: string, procedure = 'migration to mcx-b') => ({ procedure, step, clause: 'TS 24.484 4.2.2.1.2.1' });
  const log = [
    http('in', 'CMS-A', 'GET /before'), // outside any procedure
    http('out', 'IdMS-A', 'POST /token', tag('migration-token')),
    http('in', 'IdMS-A', '200 OK', tag('migration-token')),
    http('out', 'IdMS-B', 'POST /token', tag('token-exchange')),
    sip('out', 'MCS-A', 'MESSAGE sip:mcs-a SIP/2.0', {}, { from: 'MCS-B', ...tag('migration-service-authorization') }),
    subscribe('3600'),
    http('in', 'CMS-A', 'NOTIFY later'),
    http('out', 'IdMS-A', 'POST /token', tag('login', 'return home')),
  ];
  log[5] = { ...log[5]!, ...tag('subscribe-partner-cms + subscribe-partner-gms') };

  it('groups a migration and, inside it, each step; untagged messages are in no band', () => {
    expect(bandsOf(log).map((b) => [b.kind, b.label, b.first, b.last])).toEqual([
      ['procedure', 'migration to mcx-b', 1, 5],
      ['step', 'migration-token', 1, 2],
      ['step', 'token-exchange', 3, 3],
      ['step', 'migration-service-authorization', 4, 4],
      ['step', 'subscribe-partner-cms + subscribe-partner-gms', 5, 5],
      ['procedure', 'return home', 7, 7],
      ['step', 'login', 7, 7],
    ]);
    expect(bandsOf(log)[1]!.clause).toBe('TS 24.484 4.2.2.1.2.1');
  });

  it('a procedure that follows another directly is a new band', () => {
    const two = [http('out', 'IdMS-B', 'a', tag('token-exchange')), http('out', 'IdMS-A', 'b', tag('login', 'return home'))];
    expect(bandsOf(two).map((b) => [b.kind, b.label])).toEqual([
      ['procedure', 'migration to mcx-b'],
      ['step', 'token-exchange'],
      ['procedure', 'return home'],
      ['step', 'login'],
    ]);
  });

  it('lays out a header row before each band so labels never cover arrows; boxes enclose their arrows', () => {
    const bands = bandsOf(log);
    const { ys, boxes, height } = layout(log.length, bands);
    const gaps = ys.slice(1).map((y, i) => y - ys[i]!);
    // message 1 starts a procedure and a step (two header rows), 3, 4 and 5 a step each, 7 a procedure and a step.
    expect(gaps).toEqual([2, 0, 1, 1, 1, 0, 2].map((h) => LAYOUT.row + h * LAYOUT.bandHeader));
    for (const b of boxes) {
      for (let i = b.first; i <= b.last; i++) expect(ys[i]).toBeGreaterThan(b.y0 + LAYOUT.bandHeader);
      expect(b.y1).toBeGreaterThan(ys[b.last]!);
      if (b.last + 1 < ys.length) expect(b.y1).toBeLessThan(ys[b.last + 1]! - LAYOUT.row / 4);
    }
    const [migration, firstStep] = boxes;
    expect(firstStep!.y0).toBe(migration!.y0 + LAYOUT.bandHeader);
    expect(height).toBeGreaterThan(ys.at(-1)!);
  });
});

describe('text export', () => {
  it('writes one message after another with its time, direction, lanes, step and marks, then the message itself', () => {
    const log = [
      { ...subscribe('0', 'z9hG4bK5', '5 SUBSCRIBE'), procedure: 'migration to mcx-b', step: 'leave-previous-system', body: '' },
      { ...ok('5 SUBSCRIBE', 'z9hG4bK5'), body: '<body/>' },
      http('in', 'CMS-B', 'HTTP/1.1 200 OK', { summary: '200 OK', headers: { etag: '"v2"' }, body: '<xml/>' }),
    ];
    const text = exportText('ue-alice', log, '2026-11-30T13:00:00.000Z');
    const parts = text.split(`\n${'-'.repeat(72)}\n`);
    expect(parts[0]).toBe(`Message log of ue-alice: 3 messages (#${log[0]!.seq} to #${log[2]!.seq}), exported 2026-11-30T13:00:00.000Z; tokens redacted by the UE host.\n`);
    expect(parts[1]!.split('\n')[0]).toBe(`#${log[0]!.seq} ${log[0]!.at} sent SIP UE -> CMS-B  [migration to mcx-b: leave-previous-system]  (unsubscribe)`);
    expect(parts[1]).toContain('SUBSCRIBE sip:cms@127.0.0.1:5202 SIP/2.0\nvia: SIP/2.0/UDP 127.0.0.1:5300;branch=z9hG4bK5\ncall-id: c1');
    expect(parts[2]!.split('\n')[0]).toBe(`#${log[1]!.seq} ${log[1]!.at} received SIP CMS-B -> UE  (unsubscribe)`);
    expect(parts[2]).toMatch(/cseq: 5 SUBSCRIBE\n\n<body\/>\n$/);
    expect(parts[3]).toBe(`#${log[2]!.seq} ${log[2]!.at} received HTTP CMS-B -> UE\nHTTP/1.1 200 OK\netag: "v2"\n\n<xml/>\n`);
  });
});
