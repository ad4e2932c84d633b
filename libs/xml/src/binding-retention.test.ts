/**
 * A decoded value does not keep its document (issue #14, memory): a model kept for long (a UE's
 * profile summary, a token taken from a body) holds values, not views on the XML text they were cut
 * from. Measured on the heap after a full GC; the control keeps the same cut the parser makes.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { attr, complex, one } from './binding.ts';
import { defineDocument } from './document-codec.ts';
import { parseXml } from './parse.ts';
import { xsString } from './simple-types.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const DOCS = 200;
const PAD = 50_000;
const MB = 1024 * 1024;
const NS = 'urn:example:retention';

const doc = defineDocument(NS, 'doc', complex({ id: attr('id', xsString), name: one('name', xsString), pad: one('pad', xsString) }));
const xml = (i: number) =>
  `<doc xmlns="${NS}" id="document-${i}-0123456789"><name>sip:user-${i}@mcx-a.example.net</name><pad>${String(i).padEnd(PAD, 'x')}</pad></doc>`;

function retainedBy(keep: (i: number) => string[]): number {
  gc();
  const before = getHeapStatistics().used_heap_size;
  const kept: string[][] = [];
  for (let i = 0; i < DOCS; i++) kept.push(keep(i));
  gc();
  const grown = getHeapStatistics().used_heap_size - before;
  expect(kept.flat().every((s) => s.startsWith('sip:') || s.startsWith('document-'))).toBe(true);
  return grown;
}

describe('decoded values', () => {
  it('keep nothing of the text: an attribute and an element value of 200 documents of 50 KB', () => {
    expect(
      retainedBy((i) => {
        const d = doc.parse(xml(i));
        return [d.id!, d.name];
      }),
    ).toBeLessThan(1 * MB);
  });

  it('(control) the parser cuts values out of the text: one kept as cut keeps the text', () => {
    expect(retainedBy((i) => [parseXml(xml(i)).documentElement!.getAttribute('id')!])).toBeGreaterThan(DOCS * PAD * 0.8);
  });
});
