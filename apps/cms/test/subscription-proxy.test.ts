// The subscription proxy (TS 24.484 clause 6.3.13.2.2; RFC 5875): one SUBSCRIBE for several
// documents, token in mcptt-info, per-URI authorization, persistence across a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXcapDiff } from '@mcx/xcap';
import { parseServiceConfig, serializeServiceConfig } from '@mcx/documents';
import { SERVICE_CONFIG_SELECTOR, ueConfigSelector, userProfileSelector } from '../src/index.ts';
import { ADMIN_A, ALICE, BOB, bearer, login, startCmsInstance, startCmsLab, subscribeUe, waitFor, type CmsLab, type TestCms } from './fixtures.ts';

let lab: CmsLab;
let a: TestCms;
let token: string;

beforeAll(async () => {
  lab = await startCmsLab({ systems: ['mcx-a'] });
  a = lab.a;
  token = (await login(lab.idmss.a.issuer, 'alice')).accessToken;
});
afterAll(async () => {
  await a?.close();
  await lab?.close();
});

async function editServiceConfig(cmsUrl: string, hangTime: string): Promise<{ etag: string; previousEtag: string }> {
  const cur = (await (await fetch(`${cmsUrl}/admin/documents/${SERVICE_CONFIG_SELECTOR}`, { headers: bearer(ADMIN_A) })).json()) as { body: string };
  const model = parseServiceConfig(cur.body);
  model.params!.onNetwork![0]!.hangTimeWarning = hangTime;
  const res = await fetch(`${cmsUrl}/admin/documents/${SERVICE_CONFIG_SELECTOR}`, {
    method: 'PUT',
    headers: { ...bearer(ADMIN_A), 'content-type': 'application/vnd.3gpp.mcptt-service-config+xml' },
    body: serializeServiceConfig(model),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { etag: string; previousEtag: string };
}

describe('subscription proxy', () => {
  it('one SUBSCRIBE for three documents gives one initial NOTIFY listing all three with their HTTP ETags; sel relative to the XCAP root (RFC 5874 clause 4)', async () => {
    const uris = [`${a.cms.xcapRoot}/${ueConfigSelector(ALICE)}`, userProfileSelector(ALICE, 1), `/${SERVICE_CONFIG_SELECTOR}`];
    const ue = await subscribeUe(a.cms, token, uris);
    try {
      expect(ue.status).toBe(200);
      const first = await waitFor(() => ue.notifies[0], 'initial NOTIFY');
      expect(first.contentType).toContain('application/xcap-diff+xml');
      const diff = parseXcapDiff(first.body);
      expect(diff.xcapRoot).toBe(a.cms.xcapRoot);
      expect(diff.documents.map((d) => d.sel)).toEqual([ueConfigSelector(ALICE), userProfileSelector(ALICE, 1), SERVICE_CONFIG_SELECTOR]);
      for (const [i, sel] of [ueConfigSelector(ALICE), userProfileSelector(ALICE, 1), SERVICE_CONFIG_SELECTOR].entries()) {
        const res = await fetch(`${a.cms.xcapRoot}/${sel}`, { headers: bearer(token) });
        expect(`"${diff.documents[i]!.newEtag}"`).toBe(res.headers.get('etag'));
        expect(diff.documents[i]!.previousEtag).toBeUndefined();
      }
    } finally {
      await ue.close();
    }
  });

  it('refuses the whole SUBSCRIBE with 403 when one URI may not be read with the token (nothing is left out silently)', async () => {
    const ue = await subscribeUe(a.cms, token, [userProfileSelector(ALICE, 1), userProfileSelector(BOB, 1)]);
    try {
      expect(ue.status).toBe(403);
      expect(ue.notifies).toHaveLength(0);
    } finally {
      await ue.close();
    }
  });

  it('refuses a SUBSCRIBE without a token (403) and one for a URI outside this XCAP root', async () => {
    const none = await subscribeUe(a.cms, undefined, [userProfileSelector(ALICE, 1)]);
    await none.close();
    expect(none.status).toBe(403);
    const foreign = await subscribeUe(a.cms, token, ['http://elsewhere.example/xcap-root/org.3gpp.mcptt.service-config/global/service-config.xml']);
    await foreign.close();
    expect(foreign.status).toBe(403);
  });

  it('notifies changes from an admin edit with previous/new ETag (and patch operations when smaller)', async () => {
    const ue = await subscribeUe(a.cms, token, [SERVICE_CONFIG_SELECTOR], 'tcp');
    try {
      await waitFor(() => ue.notifies[0], 'initial NOTIFY');
      const edit = await editServiceConfig(a.cms.httpUrl, 'PT3S');
      const n = await waitFor(() => ue.notifies[1], 'change NOTIFY');
      const doc = parseXcapDiff(n.body).documents[0]!;
      expect(doc.sel).toBe(SERVICE_CONFIG_SELECTOR);
      expect(doc.previousEtag).toBe(edit.previousEtag);
      expect(doc.newEtag).toBe(edit.etag);
      expect(n.body).toMatch(/<replace|<add|<remove/);
    } finally {
      await ue.close();
    }
  });

  it('keeps subscriptions across a CMS restart (persisted) and notifies what changed while it was down', async () => {
    const ue = await subscribeUe(a.cms, token, [SERVICE_CONFIG_SELECTOR, userProfileSelector(ALICE, 2)]);
    try {
      await waitFor(() => ue.notifies[0], 'initial NOTIFY');
      const etagBefore = a.cms.store.peek(SERVICE_CONFIG_SELECTOR)!.etag;
      await a.cms.close();
      // Changed by another CMS replica on the same database while this one is down.
      const replica = await startCmsInstance(a.cms);
      await replica.cms.subscriptionProxy.notifier.close();
      const offline = await editServiceConfig(replica.cms.httpUrl, 'PT4S');
      await replica.cms.close();
      a = await startCmsInstance(replica.cms);
      expect(a.cms.subscriptionProxy.notifier.size).toBeGreaterThanOrEqual(1);
      const missed = await waitFor(() => ue.notifies.find((n) => parseXcapDiff(n.body).documents.some((d) => d.newEtag === offline.etag)), 'NOTIFY of the missed change');
      expect(parseXcapDiff(missed.body).documents.find((d) => d.sel === SERVICE_CONFIG_SELECTOR)!.previousEtag).toBe(etagBefore);
      const count = ue.notifies.length;
      const live = await editServiceConfig(a.cms.httpUrl, 'PT5S');
      const n = await waitFor(() => ue.notifies[count], 'NOTIFY after restart');
      expect(parseXcapDiff(n.body).documents[0]!.newEtag).toBe(live.etag);
    } finally {
      await ue.close();
    }
  });
});
