/**
 * The documents this library writes conform to the official schemas (validated in process by
 * `@mcx/schemas` against libs/schemas/xsd): xcap-error (RFC 4825 clause 11.2) and xcap-caps
 * (RFC 4825 clause 12.2).
 */
import { validateXml } from '@mcx/schemas';
import { describe, expect, it } from 'vitest';
import { ApplicationUsageRegistry } from '../app-usage/registry.ts';
import { renderXcapCaps } from '../app-usage/xcap-caps.ts';
import { resourceListsUsage } from '../../test/fixtures/resource-lists-usage.ts';
import { XcapError, type XcapErrorCondition } from './xcap-error.ts';

async function expectValid(xml: string, xsd: string): Promise<void> {
  const r = await validateXml(xml, `ietf/${xsd}`);
  expect(r.errors, xml).toEqual([]);
  expect(r.ok).toBe(true);
}

const CONDITIONS: [XcapErrorCondition, string | undefined][] = [
  [{ tag: 'not-well-formed' }, 'line 1: unclosed <a>'],
  [{ tag: 'not-xml-frag' }, undefined],
  [{ tag: 'no-parent', ancestor: 'http://127.0.0.1/xcap-root/a/global/d/~~/r/l%5B1%5D' }, 'the parent does not exist'],
  [{ tag: 'no-parent' }, undefined],
  [{ tag: 'schema-validation-error' }, 'entry needs a uri attribute; "quoted" & <escaped>'],
  [{ tag: 'not-xml-att-value' }, undefined],
  [{ tag: 'cannot-insert' }, undefined],
  [{ tag: 'cannot-delete' }, undefined],
  [{ tag: 'uniqueness-failure', exists: [{ field: 'r/list/@name', altValues: ['a', 'b'] }, { field: 'r/x' }] }, undefined],
  [{ tag: 'constraint-failure' }, 'too many entries'],
  [{ tag: 'not-utf-8' }, undefined],
];

describe('XSD conformance', () => {
  it.each(CONDITIONS)('xcap-error %o validates against xcap-error.xsd', async (condition, phrase) => {
    const err = new XcapError(condition, phrase);
    expect(err.render().status).toBe(409);
    expect(err.render().headers['content-type']).toBe('application/xcap-error+xml');
    await expectValid(err.toXml(), 'xcap-error.xsd');
  });

  it('a broken document is caught by the same check (the check can fail)', async () => {
    const r = await validateXml('<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error"><bogus/></xcap-error>', 'ietf/xcap-error.xsd');
    expect(r.ok).toBe(false);
    expect(r.errors).toEqual([expect.stringMatching(/Element '\{urn:ietf:params:xml:ns:xcap-error\}bogus': This element is not expected/)]);
  });

  it('xcap-caps validates against xcap-caps.xsd', async () => {
    const xml = renderXcapCaps(new ApplicationUsageRegistry([resourceListsUsage]));
    expect(xml).toContain('<auid>resource-lists</auid>');
    await expectValid(xml, 'xcap-caps.xsd');
  });
});
