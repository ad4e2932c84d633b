/**
 * Parser corpus: real-looking messages and torture cases in the style of RFC 4475
 * (folded headers, compact forms, odd whitespace, wrong Content-Length, ...).
 */
import { describe, expect, it } from 'vitest';
import { isResponse, parseMessage, parseResponse, type ParseResult } from './parse.ts';
import { serializeMessage } from './serialize.ts';
import { parseNameAddr } from './name-addr.ts';
import { parseUri } from './uri.ts';
import { parseVia } from './via.ts';
import type { SipMessage } from './message.ts';
import { SipHeaders } from './headers.ts';

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

function ok(text: string, stream = false): SipMessage {
  const r = parseMessage(crlf(text), { stream });
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(r.kind === 'bad' ? r.reason : r.reason)}`);
  return r.message;
}

function bad(text: string): Extract<ParseResult, { kind: 'bad' }> {
  const r = parseMessage(crlf(text));
  if (r.kind !== 'bad') throw new Error(`expected bad, got ${r.kind}`);
  return r;
}

const SUBSCRIBE = `SUBSCRIBE sip:cms-psi@example.net SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport
Max-Forwards: 70
To: <sip:cms-psi@example.net>
From: "Alice" <sip:alice@example.net>;tag=1928301774
Call-ID: a84b4c76e66710@pc33.example.net
CSeq: 314159 SUBSCRIBE
Contact: <sip:alice@192.0.2.10:5060>
Event: xcap-diff;diff-processing=aggregate
Accept: application/xcap-diff+xml, message/external-body
Expires: 4294967295
Content-Type: multipart/mixed;boundary=b1
Content-Length: 46

--b1
Content-Type: text/plain

hi
--b1--
`;

describe('parseMessage: well-formed messages', () => {
  it('reads a TS 24.484 style SUBSCRIBE', () => {
    const m = ok(SUBSCRIBE);
    expect(m.kind).toBe('request');
    if (m.kind !== 'request') return;
    expect(m.method).toBe('SUBSCRIBE');
    expect(m.uri).toBe('sip:cms-psi@example.net');
    expect(m.headers.get('call-id')).toBe('a84b4c76e66710@pc33.example.net');
    expect(m.headers.getAll('Accept')).toEqual(['application/xcap-diff+xml', 'message/external-body']);
    expect(m.headers.get('expires')).toBe('4294967295');
    expect(m.body).toBe(crlf('--b1\nContent-Type: text/plain\n\nhi\n--b1--\n'));
    expect(Buffer.byteLength(m.body)).toBe(46);
  });

  it('reads a response with a reason phrase containing spaces and an empty body', () => {
    const m = ok(`SIP/2.0 481 Call/Transaction Does Not Exist
Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKx
To: <sip:a@b>;tag=2
From: <sip:c@d>;tag=1
Call-ID: x
CSeq: 2 NOTIFY
Content-Length: 0

`);
    expect(m.kind === 'response' && [m.status, m.reason]).toEqual([481, 'Call/Transaction Does Not Exist']);
  });

  it('round-trips through serialize', () => {
    const m = ok(SUBSCRIBE);
    const again = parseMessage(serializeMessage(m));
    expect(again.kind).toBe('ok');
    if (again.kind !== 'ok') return;
    expect(again.message.body).toBe(m.body);
    expect([...again.message.headers]).toEqual([...m.headers]);
  });
});

describe('parseMessage: torture cases (RFC 4475 style)', () => {
  it('expands compact header forms (RFC 3261 clause 7.3.3)', () => {
    const m = ok(`NOTIFY sip:alice@192.0.2.10 SIP/2.0
v: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bKc1
f: <sip:cms@example.net>;tag=a
t: <sip:alice@example.net>;tag=b
i: compact@example.net
CSeq: 7 NOTIFY
m: <sip:cms@198.51.100.1>
o: xcap-diff
u: xcap-diff
c: application/xcap-diff+xml
l: 3

abc`);
    expect(m.headers.get('Via')).toBe('SIP/2.0/UDP 198.51.100.1;branch=z9hG4bKc1');
    expect(m.headers.get('Call-ID')).toBe('compact@example.net');
    expect(m.headers.get('Event')).toBe('xcap-diff');
    expect(m.headers.get('Allow-Events')).toBe('xcap-diff');
    expect(m.headers.get('Content-Type')).toBe('application/xcap-diff+xml');
    expect(m.body).toBe('abc');
    // Serialised in long form.
    expect(serializeMessage(m).toString()).toContain('Call-ID: compact@example.net\r\n');
  });

  it('unfolds continuation lines and tolerates odd whitespace (RFC 4475 clause 3.1.1.1 wsinv)', () => {
    const m = ok(`OPTIONS sip:vivekg@chair-dnrc.example.com SIP/2.0
TO :
 sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n
from   : "J Rosenberg \\\\\\"" <sip:jdrosen@example.com>
  ;
  tag = 98asjd8
MaX-fOrWaRdS: 0068
Call-ID: 0ha0isndaksdj@192.0.2.1
CSeq: 8
   OPTIONS
Via  : SIP  /   2.0
 /UDP
    192.0.2.2;branch=390skdjuw
s :
NewFangledHeader:   newfangled value
 continued newfangled value
UnknownHeaderWithUnusualValue: ;;,,;;,;
Content-Length: 0

`);
    expect(m.headers.get('cseq')).toBe('8 OPTIONS');
    expect(parseNameAddr(m.headers.get('to')!).params.get('tag')).toBe('1918181833n');
    const from = parseNameAddr(m.headers.get('from')!);
    expect(from.displayName).toBe('J Rosenberg \\"');
    expect(from.params.get('tag')).toBe('98asjd8');
    expect(m.headers.get('newfangledheader')).toBe('newfangled value continued newfangled value');
    expect(parseVia(m.headers.get('via')!)).toMatchObject({ transport: 'UDP', host: '192.0.2.2' });
    expect(m.headers.get('subject')).toBe('');
  });

  it('splits comma lists but keeps commas inside quotes and <> (RFC 3261 clause 7.3.1)', () => {
    const m = ok(`SUBSCRIBE sip:x@example.net SIP/2.0
Via: SIP/2.0/UDP a.example.net;branch=z9hG4bK1, SIP/2.0/TCP b.example.net:5070;branch=z9hG4bK2
Via: SIP/2.0/UDP c.example.net;branch=z9hG4bK3
To: <sip:x@example.net>
From: <sip:y@example.net>;tag=1
Call-ID: lists
CSeq: 1 SUBSCRIBE
Contact: "Doe, John" <sip:john@example.net;a=1,2>, <sip:other@example.net>
Authorization: Digest username="a", realm="b"
Content-Length: 0

`);
    expect(m.headers.getAll('via')).toHaveLength(3);
    expect(parseVia(m.headers.getAll('via')[1]!)).toMatchObject({ transport: 'TCP', host: 'b.example.net', port: 5070 });
    expect(m.headers.getAll('contact')).toEqual(['"Doe, John" <sip:john@example.net;a=1,2>', '<sip:other@example.net>']);
    expect(m.headers.getAll('authorization')).toEqual(['Digest username="a", realm="b"']);
  });

  it('ignores leading CRLFs and accepts bare LF line ends', () => {
    const text = `\r\n\r\nOPTIONS sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bKlf\nTo: <sip:a@b>\nFrom: <sip:c@d>;tag=1\nCall-ID: lf\nCSeq: 1 OPTIONS\nContent-Length: 2\n\nok`;
    const r = parseMessage(text);
    expect(r.kind === 'ok' && r.message.body).toBe('ok');
  });

  it('truncates a body longer than Content-Length on a datagram (RFC 3261 clause 18.3)', () => {
    const m = ok(`NOTIFY sip:a@b SIP/2.0
Via: SIP/2.0/UDP h;branch=z9hG4bKcl
To: <sip:a@b>;tag=1
From: <sip:c@d>;tag=2
Call-ID: cl
CSeq: 1 NOTIFY
Content-Length: 4

abcdefgh`);
    expect(m.body).toBe('abcd');
  });

  it('counts Content-Length in bytes, not characters', () => {
    const m = ok(`NOTIFY sip:a@b SIP/2.0
Via: SIP/2.0/UDP h;branch=z9hG4bKutf
To: <sip:a@b>;tag=1
From: <sip:c@d>;tag=2
Call-ID: utf
CSeq: 1 NOTIFY
Content-Length: 5

é€`);
    expect(m.body).toBe('é€');
  });

  it('rejects a Content-Length larger than the body with 400 (RFC 4475 clause 3.1.2.7 clerr)', () => {
    const r = bad(`INVITE sip:user@example.com SIP/2.0
Max-Forwards: 80
To: sip:j.user@example.com
From: sip:caller@example.net;tag=93942939o2
Contact: <sip:caller@hungry.example.net>
Call-ID: clerr.0ha0isndaksdjweiafasdk3
CSeq: 8 INVITE
Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523
Content-Type: application/sdp
Content-Length: 9999

v=0
`);
    expect([r.status, r.reason]).toEqual([400, 'Content-Length larger than message body']);
    expect(r.message.headers.get('call-id')).toBe('clerr.0ha0isndaksdjweiafasdk3');
  });

  it('rejects a negative / non-numeric Content-Length (RFC 4475 clause 3.1.2.2 ncl)', () => {
    const r = bad(`NOTIFY sip:a@b SIP/2.0
Via: SIP/2.0/UDP h;branch=z9hG4bKncl
To: <sip:a@b>;tag=1
From: <sip:c@d>;tag=2
Call-ID: ncl
CSeq: 1 NOTIFY
Content-Length: -999

`);
    expect(r.reason).toBe('Malformed Content-Length');
  });

  it('requires Content-Length on a stream when there is a body', () => {
    const r = parseMessage(crlf(`NOTIFY sip:a@b SIP/2.0
Via: SIP/2.0/TCP h;branch=z9hG4bKs
To: <sip:a@b>;tag=1
From: <sip:c@d>;tag=2
Call-ID: s
CSeq: 1 NOTIFY

body`), { stream: true });
    expect(r.kind === 'bad' && r.reason).toBe('Missing Content-Length');
  });

  it('answers a CSeq method mismatch with 400 (RFC 4475 clause 3.1.2.18 style)', () => {
    const r = bad(`SUBSCRIBE sip:a@b SIP/2.0
Via: SIP/2.0/UDP h;branch=z9hG4bKm
To: <sip:a@b>
From: <sip:c@d>;tag=2
Call-ID: m
CSeq: 1 NOTIFY
Content-Length: 0

`);
    expect(r.reason).toBe('CSeq method does not match request method');
  });

  it('answers an out-of-range CSeq, missing To and duplicate Call-ID with 400', () => {
    const base = (extra: string, cseq = '1') => `OPTIONS sip:a@b SIP/2.0
Via: SIP/2.0/UDP h;branch=z9hG4bKr
From: <sip:c@d>;tag=2
Call-ID: r
CSeq: ${cseq} OPTIONS
${extra}Content-Length: 0

`;
    expect(bad(base('To: <sip:a@b>\n', '4294967296')).reason).toBe('Malformed CSeq header'); // RFC 4475 3.1.2.16 scalar02
    expect(bad(base('')).reason).toBe('Missing To header');
    expect(bad(base('To: <sip:a@b>\nCall-ID: other\n')).reason).toBe('Multiple Call-ID headers');
    expect(bad(base('To: <sip:a@b\n')).reason).toBe('Malformed To header');
  });

  it('answers an unknown SIP version with 505 and an unknown URI scheme with 416', () => {
    const v = bad(`OPTIONS sip:t.watson@example.org SIP/7.0
Via: SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw
To: <sip:t.watson@example.org>
From: <sip:c@d>;tag=2
Call-ID: badvers
CSeq: 1 OPTIONS
Content-Length: 0

`);
    expect(v.status).toBe(505);
    const s = bad(`OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0
Via: SIP/2.0/UDP c.example.com;branch=z9hG4bKs
To: <sip:t.watson@example.org>
From: <sip:c@d>;tag=2
Call-ID: scheme
CSeq: 1 OPTIONS
Content-Length: 0

`);
    expect(s.status).toBe(416);
  });

  it('answers a header line without a colon with 400', () => {
    expect(bad(`OPTIONS sip:a@b SIP/2.0
Via: SIP/2.0/UDP h;branch=z9hG4bKc
To: <sip:a@b>
From: <sip:c@d>;tag=2
Call-ID: c
CSeq: 1 OPTIONS
This line has no colon
Content-Length: 0

`).reason).toMatch(/^Malformed header line/);
  });

  it('drops garbage, empty input, requests without Via/Call-ID/CSeq and broken responses', () => {
    for (const text of ['', '\r\n\r\n', 'hello world', '\x00\x01\x02\xff', 'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
      'OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n',
      'SIP/2.0 99 Too Low\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n',
      'SIP/2.0 200 OK\r\nTo: <sip:a@b>\r\n\r\n']) {
      expect(parseMessage(text).kind, JSON.stringify(text)).toBe('drop');
    }
  });

  it('never throws on random mutations of a valid message', () => {
    const base = Buffer.from(crlf(SUBSCRIBE));
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(base);
      for (let j = 0; j < 1 + Math.floor(rand() * 8); j++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      const cut = b.subarray(0, Math.floor(rand() * b.length) + 1);
      expect(() => parseMessage(rand() < 0.5 ? b : cut)).not.toThrow();
    }
  });
});

describe('URIs, name-addr and Via', () => {
  it('parses SIP URIs with user, port, params and IPv6 hosts', () => {
    expect(parseUri('sip:alice@127.0.0.1:5070;transport=tcp;lr')).toMatchObject({ user: 'alice', host: '127.0.0.1', port: 5070 });
    expect(parseUri('sip:alice@127.0.0.1:5070;transport=tcp;lr').params.get('transport')).toBe('tcp');
    expect(parseUri('sips:[2001:db8::10]:5061')).toMatchObject({ scheme: 'sips', host: '[2001:db8::10]', port: 5061 });
    expect(() => parseUri('sip:host:99999')).toThrow();
    expect(() => parseUri('http://x')).toThrow();
  });

  it('keeps addr-spec params as header params (RFC 3261 clause 20.10)', () => {
    const a = parseNameAddr('sip:alice@example.net;tag=abc');
    expect(a.uri).toBe('sip:alice@example.net');
    expect(a.params.get('tag')).toBe('abc');
    const b = parseNameAddr('<sip:alice@example.net;transport=tcp>;tag=x;expires=60');
    expect(b.uri).toBe('sip:alice@example.net;transport=tcp');
    expect(b.params.get('expires')).toBe('60');
  });
});

describe('parseResponse (the client transaction reading of a response)', () => {
  const RESPONSE = crlf(`SIP/2.0 200 OK
v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKtop;rport=5060, SIP/2.0/TCP 192.0.2.2;branch=z9hG4bKlower
Via: SIP/2.0/UDP 192.0.2.3;branch=z9hG4bKthird
t: <sip:ue@example.net>;tag=to1
f: "GMS" <sip:gms@example.net>;tag=from1
i: call-1@example.net
CSeq: 12 NOTIFY
Contact: <sip:ue@192.0.2.9>, <sip:ue@192.0.2.10>
Retry-After: 3
Subject: folded
 over two lines
l: 5

hello`);

  it('agrees with parseMessage: status, reason, headers (compact forms, lists, folding) and body; gives branch and CSeq method', () => {
    const full = parseMessage(RESPONSE);
    const lite = parseResponse(Buffer.from(RESPONSE));
    expect(isResponse(Buffer.from(`\r\n${RESPONSE}`))).toBe(true);
    expect(full.kind).toBe('ok');
    if (lite.kind !== 'ok' || full.kind !== 'ok' || full.message.kind !== 'response') throw new Error('expected ok');
    expect([lite.branch, lite.method]).toEqual(['z9hG4bKtop', 'NOTIFY']);
    expect([lite.message.status, lite.message.reason, lite.message.body]).toEqual([200, 'OK', 'hello']);
    expect([...lite.message.headers]).toEqual([...full.message.headers]);
    expect(lite.message.headers.get('retry-after')).toBe('3');
    expect(serializeMessage(lite.message).equals(serializeMessage(full.message))).toBe(true);
    // Built once, on first read; a map set in its place is the one read afterwards.
    expect(lite.message.headers).toBe(lite.message.headers);
    lite.message.headers = new SipHeaders({ 'Call-ID': 'replaced' });
    expect([...lite.message.headers]).toEqual([['Call-ID', ['replaced']]]);
  });

  it('drops what parseMessage drops of a response', () => {
    const base = 'Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n';
    for (const text of [
      '',
      '\r\n\r\n',
      'SIP/2.0 99 Too Low\r\n' + base + '\r\n',
      'SIP/3.0 200 OK\r\n' + base + '\r\n',
      'SIP/2.0 200 OK\r\nTo: <sip:a@b>\r\n\r\n',
      'SIP/2.0 200 OK\r\n' + base.replace('Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n', '') + '\r\n',
      'SIP/2.0 200 OK\r\n' + base + 'CSeq: 2 OPTIONS\r\n\r\n',
      'SIP/2.0 200 OK\r\n' + base.replace('CSeq: 1 OPTIONS', 'CSeq: one OPTIONS') + '\r\n',
      'SIP/2.0 200 OK\r\n' + base.replace('Via: SIP/2.0/UDP h', 'Via: nonsense') + '\r\n',
      'SIP/2.0 200 OK\r\n' + base + 'Bad Header Line\r\n\r\n',
      'SIP/2.0 200 OK\r\n' + base + 'Content-Length: 10\r\n\r\nshort',
      'SIP/2.0 200 OK\r\n' + base + 'Content-Length: 1\r\nContent-Length: 1\r\n\r\nx',
    ]) {
      expect([text, parseMessage(text).kind]).toEqual([text, 'drop']);
      expect([text, parseResponse(Buffer.from(text)).kind]).toEqual([text, 'drop']);
    }
  });
});
