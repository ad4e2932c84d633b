// RFC 5874 clause 4: the `sel` of a `<document>` is relative to the xcap-root, also when the UE
// listed absolute URIs in its resource-lists (the GMS does the same); the UE fetches
// `xcap-root + "/" + sel`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXcapDiff } from '@mcx/xcap';
import { SERVICE_CONFIG_SELECTOR, ueConfigSelector, userProfileSelector } from '../src/index.ts';
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

describe('document sel in NOTIFYs', () => {
  it('is relative to the xcap-root in the initial and the change NOTIFYs when the SUBSCRIBE listed absolute URIs', async () => {
    const root = lab.a.cms.xcapRoot;
    const selectors = [ueConfigSelector(ALICE), userProfileSelector(ALICE, 1), SERVICE_CONFIG_SELECTOR];
    const ue = await subscribeUe(
      lab.a.cms,
      token,
      selectors.map((s) => `${root}/${s}`),
    );
    try {
      expect(ue.status).toBe(200);
      const initial = parseXcapDiff((await waitFor(() => ue.notifies[0], 'initial NOTIFY')).body);
      expect(initial.xcapRoot).toBe(root);
      expect(initial.documents.map((d) => d.sel)).toEqual(selectors);

      const profile = userProfileSelector(ALICE, 1);
      const url = `${lab.a.cms.httpUrl}/admin/documents/${profile}`;
      const cur = (await (await fetch(url, { headers: bearer(ADMIN_A) })).json()) as { body: string };
      const put = await fetch(url, {
        method: 'PUT',
        headers: { ...bearer(ADMIN_A), 'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml' },
        body: cur.body.replace(
          /<Name xml:lang="en">[^<]*<\/Name>/,
          '<Name xml:lang="en">Alice (renamed)</Name>',
        ),
      });
      expect(put.status).toBe(200);
      const { etag } = (await put.json()) as { etag: string };
      const change = parseXcapDiff(
        (await waitFor(() => ue.notifies.find((n) => n.body.includes(etag)), 'change NOTIFY')).body,
      );
      expect(change.documents.map((d) => d.sel)).toEqual([profile]);
      for (const d of [...initial.documents, ...change.documents])
        expect(d.sel).not.toMatch(/^[a-z][a-z0-9+.-]*:\/\/|^\//i);
      // The notified document is where the UE fetches it: xcap-root + "/" + sel.
      const fetched = await fetch(`${change.xcapRoot}/${change.documents[0]!.sel}`, {
        headers: bearer(token),
      });
      expect(fetched.headers.get('etag')).toBe(`"${etag}"`);
    } finally {
      await ue.close();
    }
  });
});
