import { describe, expect, it } from 'vitest';
import { XML_NS } from './namespaces.ts';
import { outElement, printXml } from './writer.ts';

describe('printXml: the xml prefix is bound by definition (Namespaces in XML 1.0 clause 3)', () => {
  it('writes an attribute in the xml namespace with the xml prefix and declares nothing for it', () => {
    const root = outElement('urn:x', 'r');
    root.attrs.push({ ns: XML_NS, name: 'lang', value: 'en' });
    expect(printXml(root, { declaration: false })).toBe('<r xmlns="urn:x" xml:lang="en"/>');
  });

  it('drops a redundant declaration of the xml prefix', () => {
    const root = outElement('urn:x', 'r');
    root.declarations = { xml: XML_NS, p: 'urn:p' };
    expect(printXml(root, { declaration: false })).toBe('<r xmlns="urn:x" xmlns:p="urn:p"/>');
  });

  it('refuses to bind the xml namespace to another prefix or the xml prefix to another namespace', () => {
    const other = outElement('urn:x', 'r');
    other.declarations = { n2: XML_NS };
    expect(() => printXml(other)).toThrow(/xmlns:n2/);
    const rebound = outElement('urn:x', 'r');
    rebound.declarations = { xml: 'urn:not-xml' };
    expect(() => printXml(rebound)).toThrow(/xmlns:xml/);
  });
});
