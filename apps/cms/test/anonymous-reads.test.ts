// Anonymous reads at the CMS never write (RFC 9110 clause 9.2.1: GET is safe): the per-UE UE
// initial configuration (TS 24.484 clause 7.2.1) is generated from the master, not stored.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCmsLab, type CmsLab, type TestCms } from './fixtures.ts';

let lab: CmsLab;
let a: TestCms;

beforeAll(async () => {
  lab = await startCmsLab({ systems: ['mcx-a'] });
  a = lab.a;
});
afterAll(async () => {
  await lab?.close();
});

const documentCount = () => a.db.prisma.xcapDocument.count();

describe('a read never writes (RFC 9110 clause 9.2.1)', () => {
  it('serves 50 anonymous GETs of random per-UE initial configurations without storing a document', async () => {
    const before = { memory: a.cms.store.size, rows: await documentCount() };
    for (let i = 0; i < 50; i++) {
      const ueId = `urn:uuid:${randomUUID()}`;
      const res = await fetch(`${a.cms.xcapRoot}/org.3gpp.mcptt.ue-init-config/users/${ueId}/${ueId}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(ueId);
    }
    expect({ memory: a.cms.store.size, rows: await documentCount() }).toEqual(before);
  });

  it('answers the same strong ETag for the same UE until the master changes', async () => {
    const ueId = `urn:uuid:${randomUUID()}`;
    const url = `${a.cms.xcapRoot}/org.3gpp.mcptt.ue-init-config/users/${ueId}/${ueId}`;
    const first = await fetch(url);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
  });
});
