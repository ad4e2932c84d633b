// Subscriptions of UEs that died (RFC 6665 clause 4.2.2): a subscriber whose endpoint is gone is
// dropped, and its stored row deleted, on the first NOTIFY that fails; no subscription outlives
// the server's maximum expiry (RFC 6665 clause 4.2.1.1: the 200 carries the granted Expires).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUserProfile, serializeUserProfile } from '@mcx/documents';
import { userProfileSelector } from '../src/index.ts';
import { ADMIN_A, ALICE, bearer, login, startCmsLab, subscribeUe, waitFor, type CmsLab, type TestCms } from './fixtures.ts';

let lab: CmsLab;
let a: TestCms;
let token: string;

beforeAll(async () => {
  lab = await startCmsLab({ systems: ['mcx-a'] });
  a = lab.a;
  token = (await login(lab.idmss.a.issuer, 'alice')).accessToken;
});
afterAll(async () => {
  await lab?.close();
});

const rows = () => a.db.prisma.subscription.count({ where: { server: a.cms.config.serverName } });

describe('a subscriber that died', () => {
  it.each(['udp', 'tcp'] as const)('is dropped and deleted on the first failed NOTIFY after a change (%s)', async (transport) => {
    const sel = userProfileSelector(ALICE, 1);
    const ue = await subscribeUe(a.cms, token, [`${a.cms.xcapRoot}/${sel}`], transport);
    expect(ue.status).toBe(200);
    await waitFor(() => ue.notifies.length >= 1, 'initial NOTIFY');
    expect(a.cms.subscriptionProxy.size).toBe(1);
    expect(await rows()).toBe(1);
    // The UE dies without un-subscribing; then the profile changes.
    await ue.close();
    const current = a.cms.store.peek(sel)!;
    const edited = serializeUserProfile({ ...parseUserProfile(current.body), status: !parseUserProfile(current.body).status });
    const res = await fetch(`${a.cms.httpUrl}/admin/documents/${sel}`, { method: 'PUT', headers: { ...bearer(ADMIN_A), 'content-type': 'application/xml' }, body: edited });
    expect(res.status).toBe(200);
    await waitFor(() => a.cms.subscriptionProxy.size === 0, 'subscription dropped');
    for (let i = 0; i < 200 && (await rows()) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await rows()).toBe(0);
  });
});
