// The XPath subset of expect_document, over a real user profile shape.
import { describe, expect, it } from 'vitest';
import { XPathError, xpathValue } from './xpath.ts';

const XML = `<?xml version="1.0"?>
<mcptt-user-profile xmlns="urn:3gpp:mcptt:user-profile:1.0" XUI-URI="sip:alice@a" user-profile-index="1">
  <Name>home</Name>
  <ProfileName xml:lang="en">visiting</ProfileName>
  <entry index="1"><uri>sip:g1@a</uri></entry>
  <entry index="2"><uri>sip:g2@a</uri></entry>
</mcptt-user-profile>`;

describe('xpathValue', () => {
  it('selects by path, anywhere, attribute, position and predicates, ignoring prefixes', () => {
    expect(xpathValue(XML, '//ProfileName')).toBe('visiting');
    expect(xpathValue(XML, '//up:ProfileName/text()')).toBe('visiting');
    expect(xpathValue(XML, '/mcptt-user-profile/@user-profile-index')).toBe('1');
    expect(xpathValue(XML, '/mcptt-user-profile/entry[2]/uri')).toBe('sip:g2@a');
    expect(xpathValue(XML, "//entry[@index='1']/uri")).toBe('sip:g1@a');
    expect(xpathValue(XML, "//entry[uri='sip:g2@a']/@index")).toBe('2');
    expect(xpathValue(XML, '//Missing')).toBeUndefined();
  });

  it('refuses what the subset does not support', () => {
    expect(() => xpathValue(XML, '//entry[last()]')).toThrow(XPathError);
    expect(() => xpathValue(XML, '//@index/uri')).toThrow(/last step/);
  });
});
