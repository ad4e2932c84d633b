/**
 * A value kept from a message does not keep the message (issue #14, memory): measured on the heap
 * after a full GC, against the same cuts kept as V8 makes them (the control: that case must retain
 * the texts, else this test could not fail).
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { detached } from './detached.ts';
import { parseMessage } from './parse.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const TEXTS = 200;
const PAD = 50_000;
const MB = 1024 * 1024;

/** Heap bytes still used after keeping `keep(i)` for each of TEXTS texts of about PAD characters. */
function retainedBy(keep: (i: number) => string | string[]): number {
  gc();
  const before = getHeapStatistics().used_heap_size;
  const kept: (string | string[])[] = [];
  for (let i = 0; i < TEXTS; i++) kept.push(keep(i));
  gc();
  const grown = getHeapStatistics().used_heap_size - before;
  expect(kept.flat().every((s) => s.length > 0)).toBe(true);
  return grown;
}

/** A request whose header section is about PAD characters (a long Subject). */
function request(i: number): string {
  return [
    `SUBSCRIBE sip:cms@mcx-a.example.net SIP/2.0`,
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-${i}-retention`,
    'Max-Forwards: 70',
    '<sip:cms@mcx-a.example.net>'.replace(/^/, 'To: '),
    `From: <sip:ue-${i}@mcx-a.example.net>;tag=tag-${i}-0123456789`,
    `Call-ID: call-${i}-0123456789abcdef@192.0.2.10`,
    'CSeq: 1 SUBSCRIBE',
    `Contact: <sip:ue-${i}@192.0.2.10:5060>`,
    `Subject: ${String(i).padEnd(PAD, 'x')}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('detached', () => {
  it('is the same text', () => {
    const text = 'prefix sip:alice@mcx-a.example.net;tag=0123456789 suffix';
    const cut = text.slice(7, 49);
    expect(detached(cut)).toBe(cut);
    expect(detached('')).toBe('');
    expect(detached('short')).toBe('short');
  });

  it('keeps a cut without the text it was cut from', () => {
    const text = (i: number) => `${i}:`.padEnd(PAD, 'x') + `sip:user-${i}@mcx-a.example.net;tag=0123456789`;
    expect(retainedBy((i) => text(i).slice(PAD - 4))).toBeGreaterThan(((TEXTS * PAD) / 2) * 0.8);
    expect(retainedBy((i) => detached(text(i).slice(PAD - 4)))).toBeLessThan(1 * MB);
  });
});

describe('parsed header values', () => {
  it('keep nothing of the message: Call-ID, Via, From and the Request-URI of 200 requests with 50 KB headers', () => {
    const grown = retainedBy((i) => {
      const r = parseMessage(request(i));
      if (r.kind !== 'ok' || r.message.kind !== 'request') throw new Error('expected a request');
      const h = r.message.headers;
      return [h.get('call-id')!, h.get('via')!, h.get('from')!, r.message.uri];
    });
    expect(grown).toBeLessThan(1 * MB);
  });

  it('(control) a value cut from the text without a copy keeps the text', () => {
    const grown = retainedBy((i) => request(i).slice(request(i).indexOf('Call-ID'), request(i).indexOf('CSeq')));
    expect(grown).toBeGreaterThan(((TEXTS * PAD) / 2) * 0.8);
  });
});
