/**
 * The documents this library writes conform to the official schemas (xmllint --schema
 * against MCX_XSD_DIR, default <repo>/../shared/xsd): xcap-error (RFC 4825 clause 11.2) and
 * xcap-caps (RFC 4825 clause 12.2).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApplicationUsageRegistry } from '../app-usage/registry.ts';
import { renderXcapCaps } from '../app-usage/xcap-caps.ts';
import { resourceListsUsage } from '../../test/fixtures/resource-lists-usage.ts';
import { XcapError, type XcapErrorCondition } from './xcap-error.ts';

const XSD_DIR = process.env.MCX_XSD_DIR ?? resolve(import.meta.dirname, '../../../../../shared/xsd');
const dir = mkdtempSync(join(tmpdir(), 'xcap-xsd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function validate(xml: string, xsd: string): string {
  const file = join(dir, `doc-${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  try {
    return execFileSync('xmllint', ['--noout', '--schema', join(XSD_DIR, 'ietf', xsd), file], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    const err = e as { stderr?: string };
    throw new Error(err.stderr ?? String(e), { cause: e });
  }
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
  it.each(CONDITIONS)('xcap-error %o validates against xcap-error.xsd', (condition, phrase) => {
    const err = new XcapError(condition, phrase);
    expect(err.render().status).toBe(409);
    expect(err.render().headers['content-type']).toBe('application/xcap-error+xml');
    expect(() => validate(err.toXml(), 'xcap-error.xsd')).not.toThrow();
  });

  it('a broken document is caught by the same check (the check can fail)', () => {
    expect(() => validate('<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error"><bogus/></xcap-error>', 'xcap-error.xsd')).toThrow();
  });

  it('xcap-caps validates against xcap-caps.xsd', () => {
    const xml = renderXcapCaps(new ApplicationUsageRegistry([resourceListsUsage]));
    expect(xml).toContain('<auid>resource-lists</auid>');
    expect(() => validate(xml, 'xcap-caps.xsd')).not.toThrow();
  });
});
