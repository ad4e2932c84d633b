// The CMS capabilities document (RFC 4825 clause 12): served without a token (clause 12.1, as
// at the GMS), valid against the xcap-caps schema, listing the CMS application usages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXml } from '@mcx/schemas';
import { startCmsLab, type CmsLab } from './fixtures.ts';

let lab: CmsLab;

beforeAll(async () => {
  lab = await startCmsLab({ systems: ['mcx-a'] });
});
afterAll(async () => {
  await lab?.close();
});

describe('CMS xcap-caps', () => {
  it('is served anonymously, valid against the xcap-caps schema, listing the configuration AUIDs and namespaces', async () => {
    const res = await fetch(`${lab.a.cms.xcapRoot}/xcap-caps/global/index`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xcap-caps+xml');
    const xml = await res.text();
    expect(await validateXml(xml, 'ietf/xcap-caps.xsd')).toEqual({ ok: true, errors: [] });
    for (const auid of [
      'xcap-caps',
      'org.3gpp.mcptt.ue-init-config',
      'org.3gpp.mcptt.ue-config',
      'org.3gpp.mcptt.user-profile',
      'org.3gpp.mcptt.service-config',
    ]) {
      expect(xml).toContain(`<auid>${auid}</auid>`);
    }
    expect(xml).toContain('<namespace>urn:3gpp:mcptt:user-profile:1.0</namespace>');
  });
});
