import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extensionArbitrary } from './testing.ts';
import { canonicalizeExtension, extractExtension } from './extension.ts';
import { parseXml } from './parse.ts';

describe('extensions keep unknown XML exactly, with the namespace declarations they need', () => {
  it('declares namespaces inherited from ancestors on the extracted element', () => {
    const doc = parseXml('<r xmlns="urn:r" xmlns:p="urn:p" xmlns:q="urn:q"><p:x q:a="1"><y/></p:x></r>');
    const x = doc.documentElement?.firstChild as Parameters<typeof extractExtension>[0];
    expect(extractExtension(x)).toBe('<p:x q:a="1" xmlns="urn:r" xmlns:p="urn:p" xmlns:q="urn:q"><y/></p:x>');
  });

  it('undeclares the default namespace for an element in no namespace', () => {
    const doc = parseXml('<r xmlns="urn:r"><x xmlns=""/></r>');
    expect(extractExtension(doc.documentElement?.firstChild as Parameters<typeof extractExtension>[0])).toBe('<x xmlns=""/>');
  });

  it('is canonical: canonicalizing twice changes nothing', () => {
    fc.assert(fc.property(extensionArbitrary, (x) => canonicalizeExtension(x) === x));
  });

  it('keeps text, comments and processing instructions; CDATA becomes escaped text', () => {
    expect(canonicalizeExtension('<a xmlns="urn:a"><![CDATA[<&>]]><!--c--><?pi d?></a>')).toBe('<a xmlns="urn:a">&lt;&amp;&gt;<!--c--><?pi d?></a>');
  });
});
