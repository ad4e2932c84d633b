// The GMS capabilities document (RFC 4825 clause 12): served anonymously like the CMS's (clause
// 12.1: a client discovers the server's capabilities before it authenticates), valid against
// the xcap-caps schema, and listing every namespace the group documents it serves use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { groupSelector } from '../src/index.ts';
import { DOMAIN, expectSchemaValid, mcpttIdOf, startSystem, type System } from './fixture.ts';

let sys: System;
const FIRE = `sip:fire-1@${DOMAIN}`;
const CAPS_NS = 'urn:ietf:params:xml:ns:xcap-caps';

beforeAll(async () => {
  sys = await startSystem();
  await sys.gms.seed({
    groups: [
      {
        groupId: 'fire-1',
        displayName: 'Fire brigade 1',
        members: [mcpttIdOf('alice'), mcpttIdOf('bob')],
        priority: 100,
        administrators: [mcpttIdOf('dave')],
      },
    ],
  });
});
afterAll(async () => {
  await sys?.close();
});

/** Every namespace an element or attribute of `xml` is in. */
function namespacesOf(xml: string): Set<string> {
  const out = new Set<string>();
  const visit = (el: Element): void => {
    if (el.namespaceURI) out.add(el.namespaceURI);
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes[i]!;
      // The xml namespace is bound by definition (Namespaces in XML 1.0 clause 3): not a vocabulary to list.
      if (a.namespaceURI && !a.name.startsWith('xmlns') && a.prefix !== 'xml') out.add(a.namespaceURI);
    }
    for (let c = el.firstChild; c !== null; c = c.nextSibling) if (c.nodeType === 1) visit(c as Element);
  };
  visit(new DOMParser().parseFromString(xml, 'application/xml').documentElement!);
  return out;
}

describe('GMS xcap-caps', () => {
  it('is served without a token, valid against the xcap-caps schema', async () => {
    const res = await fetch(`${sys.gms.xcapRoot}/xcap-caps/global/index`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xcap-caps+xml');
    await expectSchemaValid(await res.text(), 'ietf/xcap-caps.xsd');
  });

  it('lists the group AUID and every namespace of a served group document, urn:3gpp:ns:mcpttGroupInfo:1.0 included', async () => {
    const caps = new DOMParser().parseFromString(
      await (await fetch(`${sys.gms.xcapRoot}/xcap-caps/global/index`)).text(),
      'application/xml',
    );
    const listed = (name: string) =>
      Array.from(caps.getElementsByTagNameNS(CAPS_NS, name)).map((e) => e.textContent);
    expect(listed('auid')).toEqual(expect.arrayContaining(['xcap-caps', 'org.openmobilealliance.groups']));
    const group = await fetch(`${sys.gms.xcapRoot}/${groupSelector(FIRE)}`, {
      headers: { authorization: `Bearer ${await sys.token('alice')}` },
    });
    expect(group.status).toBe(200);
    const used = namespacesOf(await group.text());
    expect(used).toContain('urn:3gpp:ns:mcpttGroupInfo:1.0');
    expect(listed('namespace')).toEqual(expect.arrayContaining([...used]));
  });

  it('still requires a token for group documents', async () => {
    const res = await fetch(`${sys.gms.xcapRoot}/${groupSelector(FIRE)}`);
    expect(res.status).toBe(401);
  });
});
