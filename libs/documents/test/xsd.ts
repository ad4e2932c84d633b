/**
 * Validation with Debian's `xmllint --schema` against the official XSDs in shared/xsd
 * (MCX_XSD_DIR, default <repo>/../shared/xsd). Two imports there do not resolve offline
 * (mcptt-user-profile.xsd imports common-policy from iana.org; ietf/resource-lists.xsd
 * imports xml.xsd from its own folder), so the XSDs are copied once per run into a temporary
 * folder with those two schemaLocations pointed at the local copies. shared/ is never modified.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const XSD_DIR = process.env.MCX_XSD_DIR ?? resolve(here, '../../../../shared/xsd');

let prepared: string | undefined;
function xsdDir(): string {
  if (prepared) return prepared;
  const dir = mkdtempSync(join(tmpdir(), 'mcx-xsd-'));
  cpSync(XSD_DIR, dir, { recursive: true });
  const patch = (file: string, from: string, to: string) => {
    const p = join(dir, file);
    writeFileSync(p, readFileSync(p, 'utf8').replace(from, to));
  };
  patch('rel13/mcptt-user-profile.xsd', 'http://www.iana.org/assignments/xml-registry/schema/common-policy.xsd', '../ietf/common-policy.xsd');
  patch('ietf/resource-lists.xsd', 'schemaLocation="xml.xsd"', 'schemaLocation="../rel13/xml.xsd"');
  prepared = dir;
  return dir;
}

export function xmllint(xml: string, xsd?: string): { ok: boolean; output: string } {
  const args = ['--noout', '--nonet'];
  if (xsd) args.push('--schema', join(xsdDir(), xsd));
  args.push('-');
  const r = spawnSync('xmllint', args, { input: xml, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
