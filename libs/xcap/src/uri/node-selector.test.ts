import { describe, expect, it } from 'vitest';
import { parseXmlDocument } from '../dom/parse.ts';
import { resolveSelection } from '../dom/select.ts';
import { renderSelection } from '../dom/render-selection.ts';
import { BadXcapUri } from '../errors/http-error.ts';
import { formatNodeSelector, parseNodeSelector } from './node-selector.ts';
import { parseXcapUri } from './xcap-uri.ts';

const DOC = parseXmlDocument(`<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists" xmlns:x="urn:example:ext">
  <list name="friends">
    <entry uri="sip:bill@example.com"><display-name>Bill</display-name></entry>
    <entry uri="sip:joe@example.com" x:prio="2"/>
    <x:note>a/b</x:note>
  </list>
  <list name="a/b &quot;q&quot;">
    <entry uri="sip:slash@example.com"/>
  </list>
</resource-lists>`);

const CTX = { defaultNamespace: 'urn:ietf:params:xml:ns:resource-lists' };

/** [raw URI part after "/~~/" (percent-encoded as on the wire), query, expected result]. */
const VALID: [string, string, string][] = [
  ['resource-lists', '', '<resource-lists'],
  ['resource-lists/list', '', '404'], // two lists: a selector must select one node
  ['resource-lists/list[1]', '', '<list name="friends">'],
  ['resource-lists/list%5B2%5D/entry', '', '<entry uri="sip:slash@example.com"/>'],
  ['resource-lists/list[@name="friends"]/entry[2]', '', '<entry uri="sip:joe@example.com" x:prio="2"/>'],
  ["resource-lists/list[@name='friends']/entry[1]/display-name", '', '<display-name>Bill</display-name>'],
  ['resource-lists/list[1][@name="friends"]', '', '<list name="friends">'],
  ['resource-lists/list[2][@name="friends"]', '', '404'],
  ['resource-lists/list[@name="a/b &quot;q&quot;"]/entry', '', '<entry uri="sip:slash@example.com"/>'],
  ['resource-lists/list[@name=%22a%2Fb%20&quot;q&quot;%22]/entry/@uri', '', '@sip:slash@example.com'],
  ['resource-lists/*[1]/*[3]', '', '<x:note>a/b</x:note>'],
  ['resource-lists/list[1]/x:note', 'xmlns(x=urn:example:ext)', '<x:note>a/b</x:note>'],
  ['resource-lists/list[1]/e:note', 'xmlns(e=urn:example:ext)', '<x:note>a/b</x:note>'],
  ['rl:resource-lists/rl:list[1]/rl:entry[2]/@e:prio', 'xmlns(rl=urn:ietf:params:xml:ns:resource-lists)xmlns(e=urn:example:ext)', '@2'],
  ['resource-lists/list[1]/entry[2]/@prio', '', '404'], // unprefixed attributes are in no namespace
  ['resource-lists/list[1]/note', '', '404'], // unprefixed elements are in the usage's default namespace
  ['resource-lists/list[1]/entry[@uri="sip:joe@example.com"]/@x:prio', 'xmlns(x=urn:example:ext)', '@2'],
  ['resource-lists/list[1]/entry[3]', '', '404'],
  ['resource-lists/list[1]/namespace::*', '', 'ns:<list xmlns="urn:ietf:params:xml:ns:resource-lists" xmlns:x="urn:example:ext"/>'],
  ['resource-lists/list[1]/entry[1]/@name', '', '404'],
];

const INVALID: [string, string][] = [
  ['', 'empty'],
  ['resource-lists//list', 'empty step'],
  ['resource-lists/list[', 'unbalanced ['],
  ['resource-lists/list]', 'unbalanced ]'],
  ['resource-lists/list[0]', 'position 0'],
  ['resource-lists/list[@name="friends"][1]', 'position after the attribute test'],
  ['resource-lists/list[@name=friends]', 'unquoted value'],
  ['resource-lists/list[@name="a<b"]', '< in AttValue'],
  ['resource-lists/list[@name="a&b"]', 'bare & in AttValue'],
  ['resource-lists/list[1][2]', 'two positions'],
  ['resource-lists/list[@a="1"][@b="2"]', 'two attribute tests'],
  ['resource-lists/1list', 'bad QName'],
  ['resource-lists/a:b:c', 'bad QName'],
  ['resource-lists/@uri/list', 'attribute selector not last'],
  ['@uri', 'no element step'],
  ['namespace::*', 'no element step'],
  ['resource-lists/list[last()]', 'extension predicate'],
  ['resource-lists/text()', 'extension step'],
  ['resource-lists/list%ZZ', 'bad percent-encoding'],
];

function evaluate(raw: string, query: string): string {
  const uri = parseXcapUri(`resource-lists/users/sip:a@b/index/~~/${raw}${query ? `?${query}` : ''}`);
  const sel = resolveSelection(DOC, uri.nodeSelector!, { ...CTX, namespaces: uri.namespaces });
  if (sel === undefined) return '404';
  const rendered = renderSelection(sel);
  if (sel.kind === 'attribute') return `@${rendered.body}`;
  if (sel.kind === 'namespace') return `ns:${rendered.body}`;
  return rendered.body;
}

describe('node selector (RFC 4825 clause 6.3)', () => {
  it.each(VALID)('%s ?%s → %s', (raw, query, expected) => {
    const got = evaluate(raw, query);
    if (expected.startsWith('<') && !expected.endsWith('>')) expect(got.startsWith(expected)).toBe(true);
    else if (expected.startsWith('<list') || expected.startsWith('<resource-lists')) expect(got.startsWith(expected)).toBe(true);
    else expect(got).toBe(expected);
  });

  it.each(INVALID)('refuses %j (%s) with 400', (raw) => {
    expect(() => parseXcapUri(`resource-lists/users/sip:a@b/index/~~/${raw}`)).toThrow(BadXcapUri);
  });

  it('refuses a prefix the query does not bind', () => {
    expect(() => evaluate('resource-lists/list[1]/q:note', '')).toThrow(BadXcapUri);
    expect(() => evaluate('resource-lists', 'foo(bar)')).toThrow(BadXcapUri);
  });

  it('round-trips through formatNodeSelector', () => {
    const text = 'rl:resource-lists/*[2]/entry[1][@uri="a&amp;&quot;b"]/@x:prio';
    const parsed = parseNodeSelector(text);
    expect(parsed.steps[2]).toEqual({ name: { kind: 'name', prefix: null, localName: 'entry' }, position: 1, attribute: { name: { prefix: null, localName: 'uri' }, value: 'a&"b' } });
    expect(parseNodeSelector(formatNodeSelector(parsed))).toEqual(parsed);
  });
});

describe('XCAP URI (RFC 4825 clauses 6.1, 6.2, 6.4)', () => {
  it('splits the document selector before decoding and keeps an encoded "/" inside a segment', () => {
    const uri = parseXcapUri('/org.3gpp.mcptt.user-profile/users/sip%3Aalice%40example.com/dir%2Fname.xml');
    expect(uri.document).toEqual({ auid: 'org.3gpp.mcptt.user-profile', tree: 'users', xui: 'sip:alice@example.com', path: ['dir/name.xml'] });
    expect(uri.documentSelector).toBe('org.3gpp.mcptt.user-profile/users/sip:alice@example.com/dir%2Fname.xml');
    expect(parseXcapUri('/a/global/dir/doc').document).toEqual({ auid: 'a', tree: 'global', path: ['dir', 'doc'] });
  });

  it('parses xmlns() bindings with ^ escapes', () => {
    const uri = parseXcapUri('a/global/d/~~/p:r?xmlns(p=urn:x^(1^))xmlns(q=urn%3Ay)');
    expect([...uri.namespaces]).toEqual([
      ['p', 'urn:x(1)'],
      ['q', 'urn:y'],
    ]);
  });

  it.each(['a', 'a/global', 'a/users/x', 'a/other/d', 'a/global/./d', 'a/global/d/', 'a/global/d#f', 'a/global/d?xmlns(p)'])('refuses %j with 400', (u) => {
    expect(() => parseXcapUri(u)).toThrow(BadXcapUri);
  });
});
