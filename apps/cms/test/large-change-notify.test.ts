// A change larger than UDP can carry (here > 64 KB) still reaches every subscriber: over UDP the
// CMS sends the NOTIFY over TCP to the subscriber's host and port (RFC 3261 clause 18.1.1), over
// TCP on the subscription's connection; the xcap-diff names the new ETag (RFC 5875 clause 4.4) and
// applying its patch, or GETting the document, yields the server's body (RFC 5875 clause 5.2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDocumentEntry, parseXcapDiff } from '@mcx/xcap';
import { userProfileSelector } from '../src/index.ts';
import { ADMIN_A, ALICE, bearer, extensionNotes, login, startCmsLab, subscribeUe, waitFor, type CmsLab, type TestUe } from './fixtures.ts';

let lab: CmsLab;
let token: string;

beforeAll(async () => {
  lab = await startCmsLab({ systems: ['mcx-a'] });
  token = (await login(lab.idmss.a.issuer, 'alice')).accessToken;
});
afterAll(async () => {
  await lab?.close();
});

const PROFILE_MIME = 'application/vnd.3gpp.mcptt-user-profile+xml';

const viaProtocol = (ue: TestUe, etag: string) => {
  const n = ue.notifies.find((m) => m.body.includes(etag))!;
  return /^SIP\/2\.0\/(\w+)/.exec(n.message.headers.get('via')!)![1];
};

describe('a change larger than 64 KB (RFC 3261 clause 18.1.1)', () => {
  it('reaches a subscriber over UDP (as a NOTIFY over TCP) and one over TCP, and the patch or a GET yields the stored body', async () => {
    const selector = userProfileSelector(ALICE, 1);
    const docUrl = `${lab.a.cms.xcapRoot}/${selector}`;
    const udp = await subscribeUe(lab.a.cms, token, [selector], 'udp');
    const tcp = await subscribeUe(lab.a.cms, token, [selector], 'tcp');
    try {
      expect(udp.status).toBe(200);
      expect(tcp.status).toBe(200);
      await waitFor(() => udp.notifies[0] && tcp.notifies[0], 'initial NOTIFYs');
      const before = await fetch(docUrl, { headers: bearer(token) });
      expect(before.status).toBe(200);
      const local = { etag: before.headers.get('etag')!.replace(/"/g, ''), body: await before.text() };

      const body = local.body.replace('</mcptt-user-profile>', `${extensionNotes(80)}</mcptt-user-profile>`);
      expect(body.length - local.body.length).toBeGreaterThan(64 * 1024);
      const res = await fetch(`${lab.a.cms.httpUrl}/admin/documents/${selector}`, {
        method: 'PUT',
        headers: { ...bearer(ADMIN_A), 'content-type': PROFILE_MIME },
        body,
      });
      expect(res.status).toBe(200);
      const { etag } = (await res.json()) as { etag: string };
      const server = lab.a.cms.store.peek(selector)!;
      expect(server.etag).toBe(etag);

      for (const ue of [udp, tcp]) {
        const change = await waitFor(() => ue.notifies.find((n) => n.body.includes(etag)), 'change NOTIFY');
        expect(Buffer.byteLength(change.body)).toBeGreaterThan(64 * 1024);
        const entry = parseXcapDiff(change.body).documents.find((d) => d.sel === selector)!;
        expect(entry.newEtag).toBe(etag);
        expect(entry.previousEtag).toBe(local.etag);
        const applied = applyDocumentEntry(entry, local, parseXcapDiff(change.body).namespaces);
        if (applied.action === 'patched') {
          expect(applied.body).toBe(server.body);
        } else {
          expect(applied.action).toBe('fetch');
          const after = await fetch(docUrl, { headers: bearer(token) });
          expect(after.headers.get('etag')).toContain(etag);
          expect(await after.text()).toBe(server.body);
        }
      }
      expect(viaProtocol(udp, etag)).toBe('TCP');
      expect(viaProtocol(tcp, etag)).toBe('TCP');
      expect(udp.subscription.state).toBe('active');
      expect(tcp.subscription.state).toBe('active');
    } finally {
      await Promise.all([udp.close(), tcp.close()]);
    }
  });
});
