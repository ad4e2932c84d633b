// Every NOTIFY body the CMS sends is namespace-well-formed for a strict parser (libxml2 via
// @mcx/schemas), in particular change NOTIFYs whose RFC 5261 patch operations touch xml:lang
// (Namespaces in XML 1.0 clause 3: the xml prefix is never declared).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXml } from '@mcx/schemas';
import { parseXcapDiff } from '@mcx/xcap';
import { userProfileSelector } from '../src/index.ts';
import { ADMIN_A, ALICE, bearer, login, startCmsLab, subscribeUe, waitFor, type CmsLab } from './fixtures.ts';

let lab: CmsLab;
let token: string;

beforeAll(async () => {
  lab = await startCmsLab({ systems: ['mcx-a'] });
  token = (await login(lab.idmss.a.issuer, 'alice')).accessToken;
});
afterAll(async () => {
  await lab?.close();
});

async function adminEdit(selector: string, edit: (body: string) => string): Promise<{ etag: string }> {
  const url = `${lab.a.cms.httpUrl}/admin/documents/${selector}`;
  const cur = (await (await fetch(url, { headers: bearer(ADMIN_A) })).json()) as { body: string };
  const body = edit(cur.body);
  expect(body).not.toBe(cur.body);
  const res = await fetch(url, {
    method: 'PUT',
    headers: { ...bearer(ADMIN_A), 'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml' },
    body,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { etag: string };
}

describe('NOTIFY bodies pass a strict XML parser', () => {
  it('an admin edit of a user profile Name with xml:lang is notified as a namespace-well-formed patch', async () => {
    const selector = userProfileSelector(ALICE, 1);
    const ue = await subscribeUe(lab.a.cms, token, [selector]);
    try {
      expect(ue.status).toBe(200);
      const initial = await waitFor(() => ue.notifies[0], 'initial NOTIFY');
      expect(await validateXml(initial.body)).toEqual({ ok: true, errors: [] });
      // The language of the profile's Name changed: a patch selecting @xml:lang.
      const relabel = await adminEdit(selector, (body) =>
        body.replace(/<Name xml:lang="en">/, '<Name xml:lang="en-GB">'),
      );
      const attrChange = await waitFor(
        () => ue.notifies.find((n) => n.body.includes(relabel.etag)),
        'change NOTIFY (xml:lang)',
      );
      expect(attrChange.body).toMatch(/<replace sel="[^"]*\/@xml:lang">en-GB<\/replace>/);
      expect(await validateXml(attrChange.body)).toEqual({ ok: true, errors: [] });
      // A second Name in another language: a patch adding an element that carries xml:lang.
      const added = await adminEdit(selector, (body) =>
        body.replace(/(<Name xml:lang="en-GB">[^<]*<\/Name>)/, '$1<Name xml:lang="fr">Alice (fr)</Name>'),
      );
      const elementChange = await waitFor(
        () => ue.notifies.find((n) => n.body.includes(added.etag)),
        'change NOTIFY (Name added)',
      );
      expect(elementChange.body).toContain('xml:lang="fr"');
      expect(await validateXml(elementChange.body)).toEqual({ ok: true, errors: [] });
      expect(parseXcapDiff(elementChange.body).documents[0]!.patch).toBeDefined();
    } finally {
      await ue.close();
    }
  });
});
