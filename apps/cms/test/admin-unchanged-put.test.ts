// The admin API's PUT of a body equal to the stored one (the console's "Save" of an unchanged
// profile): no new version, the same ETag, no NOTIFY; a stale If-Match is still refused. And the
// admin GET of one kept earlier version (?version=N), which the console diffs. Real HTTP and SIP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXcapDiff } from '@mcx/xcap';
import { userProfileSelector } from '../src/index.ts';
import { ADMIN_A, ALICE, bearer, login, startCmsLab, subscribeUe, waitFor, type CmsLab, type TestUe } from './fixtures.ts';

let lab: CmsLab;
let ue: TestUe & { status: number };
const selector = userProfileSelector(ALICE, 1);
let url: string;

interface AdminDoc { body: string; etag: string; version: number; history?: { version: number }[] }
const get = async (query = '') => {
  const res = await fetch(`${url}${query}`, { headers: bearer(ADMIN_A) });
  return { status: res.status, doc: (await res.json()) as AdminDoc };
};
const put = (body: string, etag: string) =>
  fetch(url, {
    method: 'PUT',
    headers: { ...bearer(ADMIN_A), 'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml', 'if-match': `"${etag}"` },
    body,
  });

beforeAll(async () => {
  lab = await startCmsLab();
  url = `${lab.a.cms.httpUrl}/admin/documents/${selector}`;
  const token = (await login(lab.idmss.a.issuer, 'alice')).accessToken;
  ue = await subscribeUe(lab.a.cms, token, [selector]);
  await waitFor(() => ue.notifies.length >= 1, 'initial NOTIFY');
});
afterAll(async () => {
  await ue?.close();
  await lab?.close();
});

describe('CMS admin PUT of an unchanged document', () => {
  it('answers 200 with the same ETag and version, makes no version and notifies nobody', async () => {
    const { doc: before } = await get();
    const notifies = ue.notifies.length;
    // The same bytes, then the same profile with other white space between its elements.
    for (const body of [before.body, before.body.replace(/>\s*</g, '>\n    <')]) {
      const res = await put(body, before.etag);
      expect(res.status).toBe(200);
      expect(res.headers.get('etag')).toBe(`"${before.etag}"`);
      expect(await res.json()).toMatchObject({ etag: before.etag, version: before.version, unchanged: true });
    }
    const { doc: after } = await get();
    expect(after).toMatchObject({ etag: before.etag, version: before.version, body: before.body });
    expect(after.history).toHaveLength(before.history!.length);
    // A real edit is the next thing the UE hears of: its NOTIFY is the first after the no-op saves.
    const edited = await put(before.body.replace(/<ProfileName([^>]*)>[^<]*</, '<ProfileName$1>edited<'), before.etag);
    expect(edited.status).toBe(200);
    const { etag, version } = (await edited.json()) as AdminDoc;
    expect(version).toBe(before.version + 1);
    const notify = await waitFor(() => ue.notifies[notifies], 'NOTIFY of the edit');
    expect(parseXcapDiff(notify.body).documents.find((d) => d.sel === selector)).toMatchObject({ previousEtag: before.etag, newEtag: etag });
  });

  it('still refuses an unchanged body under a stale If-Match (412)', async () => {
    const { doc } = await get();
    const res = await put(doc.body, 'stale-etag');
    expect(res.status).toBe(412);
  });

  it('serves one kept earlier version with ?version=N, 404 for one not kept, 400 for no number', async () => {
    const { doc: current } = await get();
    const v1 = await get('?version=1');
    expect(v1.status).toBe(200);
    expect(v1.doc.version).toBe(1);
    expect(v1.doc.body).not.toBe(current.body);
    expect(v1.doc.body).toMatch(/<ProfileName[^>]*>(?!edited)/);
    expect((await get(`?version=${current.version + 5}`)).status).toBe(404);
    expect((await get('?version=abc')).status).toBe(400);
  });
});
