// Versioned user profiles (TS 23.280 10.1.4.3-10.1.4.5) end to end over real HTTP and SIP:
// get-with-version, network-initiated update notification, upload of user data, and the
// server-newer / UE-newer decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXcapDiff } from '@mcx/xcap';
import { parseUserProfile, serializeUserProfile } from '@mcx/documents';
import { decideGetWithVersion } from '../src/profiles/get-with-version.ts';
import { SERVICE_CONFIG_SELECTOR, userProfileSelector, ueConfigSelector } from '../src/index.ts';
import { ADMIN_A, ALICE, bearer, login, startCmsLab, subscribeUe, waitFor, type CmsLab, type TestCms, type TestUe } from './fixtures.ts';

let lab: CmsLab;
let a: TestCms;
let token: string;
const profile1 = userProfileSelector(ALICE, 1);
const profile2 = userProfileSelector(ALICE, 2);
let url1: string;

beforeAll(async () => {
  // Both systems: alice's profiles list mcx-b as a partner (the list a user may not change).
  lab = await startCmsLab({ cms: () => ({ versionHistoryLimit: 3 }) });
  a = lab.a;
  token = (await login(lab.idmss.a.issuer, 'alice')).accessToken;
  url1 = `${a.cms.xcapRoot}/${profile1}`;
});
afterAll(async () => {
  await lab?.close();
});

async function adminEdit(selector: string, edit: (xml: string) => string): Promise<{ etag: string; version: number; previousEtag: string }> {
  const cur = (await (await fetch(`${a.cms.httpUrl}/admin/documents/${selector}`, { headers: bearer(ADMIN_A) })).json()) as { body: string; etag: string };
  const res = await fetch(`${a.cms.httpUrl}/admin/documents/${selector}`, {
    method: 'PUT',
    headers: { ...bearer(ADMIN_A), 'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml', 'if-match': `"${cur.etag}"` },
    body: edit(cur.body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { etag: string; version: number; previousEtag: string };
}

function renameProfile(xml: string, name: string): string {
  const p = parseUserProfile(xml);
  return serializeUserProfile({ ...p, profileName: [{ value: name, lang: 'en' }] });
}

describe('user profile versions: get with version, update notification, upload', () => {
  let ue1: TestUe & { status: number };
  let ue2: TestUe & { status: number };
  beforeAll(async () => {
    const uris = [`${a.cms.xcapRoot}/${ueConfigSelector(ALICE)}`, profile1, profile2, SERVICE_CONFIG_SELECTOR];
    ue1 = await subscribeUe(a.cms, token, uris);
    ue2 = await subscribeUe(a.cms, token, uris, 'tcp');
    await waitFor(() => ue1.notifies.length >= 1 && ue2.notifies.length >= 1, 'initial NOTIFYs');
  });
  afterAll(async () => {
    await ue1?.close();
    await ue2?.close();
  });

  it('answers a GET with the current version as 304 "already synchronized", from memory', async () => {
    const first = await fetch(url1, { headers: bearer(token) });
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(first.headers.get('mcx-profile-version')).toBe('1');
    const again = await fetch(url1, { headers: { ...bearer(token), 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.statusText).toMatch(/already synchronized/);
    expect(again.headers.get('etag')).toBe(etag);
  });

  it('notifies an admin edit with previous/new ETag; the GET then returns the new version', async () => {
    const before = await fetch(url1, { headers: bearer(token) });
    const oldEtag = before.headers.get('etag')!;
    const n = ue1.notifies.length;
    const edit = await adminEdit(profile1, (x) => renameProfile(x, 'home (edited)'));
    expect(edit.version).toBe(2);
    const notify = await waitFor(() => ue1.notifies[n], 'NOTIFY after admin edit');
    const diff = parseXcapDiff(notify.body);
    const doc = diff.documents.find((d) => d.sel === profile1)!;
    expect(`"${doc.previousEtag}"`).toBe(oldEtag);
    expect(doc.newEtag).toBe(edit.etag);
    const after = await fetch(url1, { headers: { ...bearer(token), 'if-none-match': oldEtag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).toBe(`"${edit.etag}"`);
    expect(after.headers.get('mcx-profile-version')).toBe('2');
    expect(parseUserProfile(await after.text()).profileName?.[0]?.value).toBe('home (edited)');
  });

  it('serves a kept earlier version with ?version=N (our extension) and 404 for one not kept', async () => {
    const v1 = await fetch(`${url1}?version=1`, { headers: bearer(token) });
    expect(v1.status).toBe(200);
    expect(v1.headers.get('mcx-profile-version')).toBe('1');
    expect(parseUserProfile(await v1.text()).profileName?.[0]?.value).toBe('home');
    expect((await fetch(`${url1}?version=99`, { headers: bearer(token) })).status).toBe(404);
  });

  it('refuses an upload with a stale ETag (412) and changes nothing', async () => {
    const cur = await fetch(url1, { headers: bearer(token) });
    const etag = cur.headers.get('etag')!;
    const body = renameProfile(await cur.text(), 'home (stale upload)');
    const n1 = ue1.notifies.length;
    const res = await fetch(url1, {
      method: 'PUT',
      headers: { ...bearer(token), 'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml', 'if-match': '"stale-etag"' },
      body,
    });
    expect(res.status).toBe(412);
    const again = await fetch(url1, { headers: { ...bearer(token), 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(ue1.notifies.length).toBe(n1);
  });

  it('stores an upload with the right ETag, confirms the new ETag and notifies the other UE', async () => {
    const cur = await fetch(url1, { headers: bearer(token) });
    const etag = cur.headers.get('etag')!;
    const n2 = ue2.notifies.length;
    const res = await fetch(url1, {
      method: 'PUT',
      headers: { ...bearer(token), 'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml', 'if-match': etag },
      body: renameProfile(await cur.text(), 'home (uploaded)'),
    });
    expect(res.status).toBe(200);
    const newEtag = res.headers.get('etag')!;
    expect(newEtag).not.toBe(etag);
    const notify = await waitFor(() => ue2.notifies[n2], 'NOTIFY to the other UE');
    const doc = parseXcapDiff(notify.body).documents.find((d) => d.sel === profile1)!;
    expect(`"${doc.previousEtag}"`).toBe(etag);
    expect(`"${doc.newEtag}"`).toBe(newEtag);
  });

  it('lets the user change one element (conditional PUT of an element) and refuses changing the partner list', async () => {
    const cur = await fetch(url1, { headers: bearer(token) });
    const etag = cur.headers.get('etag')!;
    const el = await fetch(`${url1}/~~/mcptt-user-profile/Status`, {
      method: 'PUT',
      headers: { ...bearer(token), 'content-type': 'application/xcap-el+xml', 'if-match': etag },
      body: '<Status xmlns="urn:3gpp:mcptt:user-profile:1.0">false</Status>',
    });
    expect(el.status).toBe(200);
    const etag2 = el.headers.get('etag')!;
    const p = parseUserProfile(await (await fetch(url1, { headers: bearer(token) })).text());
    expect(p.status).toBe(false);
    const tampered = serializeUserProfile({ ...p, anyExt: undefined });
    const res = await fetch(url1, {
      method: 'PUT',
      headers: { ...bearer(token), 'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml', 'if-match': etag2 },
      body: tampered,
    });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/xcap-error+xml');
    expect(await res.text()).toContain('constraint-failure');
  });

  it('server newer -> 200 with the profile; UE newer (unknown ETag, higher version) -> 200 + MCX-Upload-Requested, then the upload', async () => {
    const cur = await fetch(url1, { headers: bearer(token) });
    const etag = cur.headers.get('etag')!;
    const version = Number(cur.headers.get('mcx-profile-version'));
    // Server newer: the UE holds version 1's ETag (known to the server).
    const history = (await (await fetch(`${a.cms.httpUrl}/admin/documents/${profile1}`, { headers: bearer(ADMIN_A) })).json()) as { history: { version: number; etag: string }[] };
    const older = history.history[0]!;
    const serverNewer = await fetch(url1, { headers: { ...bearer(token), 'if-none-match': `"${older.etag}"`, 'mcx-profile-version': String(older.version) } });
    expect(serverNewer.status).toBe(200);
    expect(serverNewer.headers.get('mcx-upload-requested')).toBeNull();
    // UE newer: an offline edit the server never saw, with a higher version number.
    const ueNewer = await fetch(url1, { headers: { ...bearer(token), 'if-none-match': '"offline-edit-etag"', 'mcx-profile-version': String(version + 1) } });
    expect(ueNewer.status).toBe(200);
    expect(ueNewer.headers.get('mcx-upload-requested')).toBe('true');
    expect(ueNewer.headers.get('etag')).toBe(etag);
    // The UE uploads its copy, conditional on the server's ETag it just received.
    const upload = await fetch(url1, {
      method: 'PUT',
      headers: { ...bearer(token), 'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml', 'if-match': etag },
      body: renameProfile(await ueNewer.text(), 'home (offline edit)'),
    });
    expect(upload.status).toBe(200);
    expect(Number((await fetch(url1, { headers: bearer(token) })).headers.get('mcx-profile-version'))).toBe(version + 1);
  });

  it('policy server-wins never asks for an upload', () => {
    const current = { selector: 's', body: '<x/>', etag: 'e5', version: 5, contentType: 't', updatedAt: new Date() };
    const input = { current, history: [{ version: 5, etag: 'e5', createdAt: new Date() }], ifMatch: undefined, ifNoneMatch: '"mine"', ueVersion: '9' };
    expect(decideGetWithVersion({ ...input, policy: 'request-upload' })).toEqual({ kind: 'send', uploadRequested: true });
    expect(decideGetWithVersion({ ...input, policy: 'server-wins' })).toEqual({ kind: 'send', uploadRequested: false });
    expect(decideGetWithVersion({ ...input, ueVersion: '4', policy: 'request-upload' })).toEqual({ kind: 'send', uploadRequested: false });
    expect(decideGetWithVersion({ ...input, ifNoneMatch: '"e5"', policy: 'request-upload' })).toEqual({ kind: 'not-modified' });
  });

  it('keeps a bounded history (versionHistoryLimit)', async () => {
    const doc = (await (await fetch(`${a.cms.httpUrl}/admin/documents/${profile1}`, { headers: bearer(ADMIN_A) })).json()) as { version: number; history: { version: number }[] };
    expect(doc.history.length).toBeLessThanOrEqual(4);
    expect(doc.history.at(-1)!.version).toBe(doc.version);
  });
});
