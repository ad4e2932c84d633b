// The SIP tap attributes each message to its UE (Contact user of what it sends, Request-URI user of
// what it receives, Call-ID for the rest) and keeps it raw: the message is parsed and redacted
// when the log is read, and nothing is kept or parsed when nobody keeps or listens to messages.
import type { ReceivedFrame, Target, Transport } from '@mcx/sip';
import { describe, expect, it } from 'vitest';
import { Lanes } from './lanes.ts';
import { MessageLog } from './message-log.ts';
import { SipTap } from './sip-tap.ts';

const CMS: Target = { protocol: 'udp', host: '127.0.0.1', port: 5102 };
const lanes = new Lanes();
lanes.addSip('sip:127.0.0.1:5102', 'CMS-A');

function fakeTransport() {
  const sent: Buffer[] = [];
  let deliver: (f: ReceivedFrame) => void = () => undefined;
  const inner: Transport = {
    protocol: 'udp',
    reliable: false,
    local: { host: '127.0.0.1', port: 5060 },
    send: async (data) => void sent.push(data),
    onFrame: (h) => void (deliver = h),
    close: async () => undefined,
  };
  return { inner, sent, receive: (text: string) => deliver({ data: Buffer.from(text), source: CMS, stream: false }) };
}

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlc2lnbmF0dXJl';
const subscribe = [
  'SUBSCRIBE sip:cms@mcx-a.example.net SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1',
  'From: <sip:alice@mcx-a.example.net>;tag=1',
  'To: <sip:cms@mcx-a.example.net>',
  'Call-ID: call-1',
  'CSeq: 1 SUBSCRIBE',
  'Contact: <sip:ue-alice@127.0.0.1:5060>',
  'Event: xcap-diff;diff-processing=aggregate',
  'Content-Type: application/vnd.3gpp.mcptt-info+xml',
  '',
  `<mcptt-info><mcptt-access-token>${TOKEN}</mcptt-access-token></mcptt-info>`,
].join('\r\n');
const accepted = ['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1', 'i: call-1', 'CSeq: 1 SUBSCRIBE', '', ''].join('\r\n');
const notify = ['NOTIFY sip:ue-alice@127.0.0.1:5060 SIP/2.0', 'Call-ID: call-2', 'CSeq: 1 NOTIFY', 'Event: xcap-diff', '', '<xcap-diff/>'].join('\r\n');
const stranger = ['NOTIFY sip:someone@127.0.0.1:5060 SIP/2.0', 'Call-ID: call-3', 'CSeq: 1 NOTIFY', '', ''].join('\r\n');

describe('SipTap', () => {
  it('attributes requests by Contact / Request-URI user and responses by Call-ID; builds them when read, token redacted', async () => {
    const log = new MessageLog(10, 10_000);
    const tap = new SipTap(log, lanes, (id) => id === 'ue-alice');
    const t = fakeTransport();
    const wrapped = tap.wrap(t.inner);
    wrapped.onFrame(() => undefined);
    log.step('ue-alice', { procedure: 'online configuration', step: 'subscribe-cms', clause: 'TS 24.484 4.2.2.1.1' });
    await wrapped.send(Buffer.from(subscribe), CMS);
    t.receive(accepted);
    log.step('ue-alice', undefined);
    t.receive(notify);
    t.receive(stranger);
    expect(t.sent).toHaveLength(1);
    const msgs = log.since('ue-alice');
    expect(msgs.map((m) => [m.direction, m.peer, m.summary, m.step])).toEqual([
      ['out', 'CMS-A', 'SUBSCRIBE sip:cms@mcx-a.example.net (xcap-diff)', 'subscribe-cms'],
      ['in', 'CMS-A', '200 OK (SUBSCRIBE)', 'subscribe-cms'],
      ['in', 'CMS-A', 'NOTIFY sip:ue-alice@127.0.0.1:5060 (xcap-diff)', undefined],
    ]);
    expect(msgs[0]!.headers['call-id']).toBe('call-1');
    expect(msgs[1]!.headers['call-id']).toBe('call-1'); // compact form "i" read as Call-ID
    expect(msgs[0]!.body).toContain('eyJhbGciOiJF…');
    expect(msgs[0]!.body).not.toContain(TOKEN);
    expect(log.since('someone')).toEqual([]);
    // Read twice: the same messages (built once).
    expect(log.since('ue-alice')).toEqual(msgs);
    expect(log.since('ue-alice', msgs[1]!.seq).map((m) => m.summary)).toEqual(['NOTIFY sip:ue-alice@127.0.0.1:5060 (xcap-diff)']);
  });

  it('keeps nothing when nobody keeps or listens to messages; a listener gets them built', async () => {
    const log = new MessageLog(0, 10_000);
    const tap = new SipTap(log, lanes, (id) => id === 'ue-alice');
    const t = fakeTransport();
    const wrapped = tap.wrap(t.inner);
    wrapped.onFrame(() => undefined);
    await wrapped.send(Buffer.from(subscribe), CMS);
    expect(log.size).toEqual({ messages: 0, chars: 0 });
    const heard: string[] = [];
    const off = log.listen((m) => heard.push(`${m.ue} ${m.summary}`));
    t.receive(notify);
    off();
    t.receive(notify);
    expect(heard).toEqual(['ue-alice NOTIFY sip:ue-alice@127.0.0.1:5060 (xcap-diff)']);
    expect(log.since('ue-alice')).toEqual([]);
  });
});
