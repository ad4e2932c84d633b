// Every NOTIFY body the CMS sends is namespace-well-formed for a strict parser (libxml2 via
// @mcx/schemas) and valid against the xcap-diff schema (RFC 5874 clause 7, with the RFC 5261
// clause 8 patch operation types), in particular change NOTIFYs whose RFC 5261 patch operations
// touch xml:lang (Namespaces in XML 1.0 clause 3: the xml prefix is never declared),
// body-not-changed and the removal of a document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXml, XCAP_DIFF_XSD } from '@mcx/schemas';
import { parseXcapDiff } from '@mcx/xcap';
import { ueConfigSelector, userProfileSelector } from '../src/index.ts';
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

/** libxml2 says nothing but "validates" for the body against the xcap-diff schema. */
async function expectValidXcapDiff(body: string): Promise<void> {
  expect(await validateXml(body, XCAP_DIFF_XSD), body).toEqual({ ok: true, errors: [] });
}

describe('NOTIFY bodies pass a strict XML parser and the xcap-diff schema', () => {
  it('an admin edit of a user profile Name with xml:lang is notified as a namespace-well-formed, schema-valid patch', async () => {
    const selector = userProfileSelector(ALICE, 1);
    const ue = await subscribeUe(lab.a.cms, token, [selector]);
    try {
      expect(ue.status).toBe(200);
      const initial = await waitFor(() => ue.notifies[0], 'initial NOTIFY');
      await expectValidXcapDiff(initial.body);
      // The language of the profile's Name changed: a patch selecting @xml:lang.
      const relabel = await adminEdit(selector, (body) =>
        body.replace(/<Name xml:lang="en">/, '<Name xml:lang="en-GB">'),
      );
      const attrChange = await waitFor(
        () => ue.notifies.find((n) => n.body.includes(relabel.etag)),
        'change NOTIFY (xml:lang)',
      );
      expect(attrChange.body).toMatch(/<replace sel="[^"]*\/@xml:lang">en-GB<\/replace>/);
      await expectValidXcapDiff(attrChange.body);
      // A second Name in another language: a patch adding an element that carries xml:lang.
      const added = await adminEdit(selector, (body) =>
        body.replace(/(<Name xml:lang="en-GB">[^<]*<\/Name>)/, '$1<Name xml:lang="fr">Alice (fr)</Name>'),
      );
      const elementChange = await waitFor(
        () => ue.notifies.find((n) => n.body.includes(added.etag)),
        'change NOTIFY (Name added)',
      );
      expect(elementChange.body).toContain('xml:lang="fr"');
      await expectValidXcapDiff(elementChange.body);
      expect(parseXcapDiff(elementChange.body).documents[0]!.patch).toBeDefined();
      // The check is real: the same body without the required sel fails it.
      const noSel = await validateXml(elementChange.body.replace(/(<document[^>]*?) sel="[^"]*"/, '$1'), XCAP_DIFF_XSD);
      expect(noSel.errors.join('\n')).toContain("The attribute 'sel' is required");
    } finally {
      await ue.close();
    }
  });

  it('a change of bytes only is notified with body-not-changed, a deleted document with previous-etag only; both schema-valid', async () => {
    const selector = ueConfigSelector(ALICE);
    const ue = await subscribeUe(lab.a.cms, token, [selector]);
    try {
      expect(ue.status).toBe(200);
      const initial = await waitFor(() => ue.notifies[0], 'initial NOTIFY');
      await expectValidXcapDiff(initial.body);
      // White space inside the root start tag: other bytes, the same document (RFC 5874 clause 4.2).
      const respaced = await adminEdit(selector, (body) => body.replace(/^(<\?xml[^>]*\?>\s*<[^>]*?)(\/?>)/, '$1 $2'));
      const unchanged = await waitFor(
        () => ue.notifies.find((n) => n.body.includes(respaced.etag)),
        'change NOTIFY (bytes only)',
      );
      expect(unchanged.body).toContain('<body-not-changed/>');
      await expectValidXcapDiff(unchanged.body);
      const del = await fetch(`${lab.a.cms.httpUrl}/admin/documents/${selector}`, { method: 'DELETE', headers: bearer(ADMIN_A) });
      expect(del.status).toBe(204);
      const removed = await waitFor(
        () => ue.notifies.find((n) => n !== unchanged && n.body.includes(`previous-etag="${respaced.etag}"`)),
        'change NOTIFY (document deleted)',
      );
      expect(parseXcapDiff(removed.body).documents).toEqual([{ sel: selector, previousEtag: respaced.etag }]);
      await expectValidXcapDiff(removed.body);
    } finally {
      await ue.close();
    }
  });
});
