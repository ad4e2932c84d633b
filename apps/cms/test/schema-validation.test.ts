// Writes are validated against the document's schema at the CMS (RFC 4825 clause 8.2.5): a PUT whose result is not valid gets 409
// schema-validation-error, one beyond the server's per-document limits 409 constraint-failure or 413 (our limits, CMS config
// `documentLimits`), and the stored document and its ETag stay as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userProfileSelector } from '../src/index.ts';
import { ALICE, bearer, login, startCmsLab, type CmsLab } from './fixtures.ts';

let lab: CmsLab;
let alice: string;
const SEL = userProfileSelector(ALICE, 1);
const PROFILE_MIME = 'application/vnd.3gpp.mcptt-user-profile+xml';

beforeAll(async () => {
  lab = await startCmsLab({ systems: ['mcx-a'] });
  alice = (await login(lab.idmss.a.issuer, 'alice')).accessToken;
});
afterAll(async () => {
  await lab?.close();
});

const stored = () => lab.a.cms.store.peek(SEL)!;
const put = (path: string, contentType: string, body: string) =>
  fetch(`${lab.a.cms.xcapRoot}/${SEL}${path}`, { method: 'PUT', headers: { ...bearer(alice), 'content-type': contentType }, body });

/** Alice's stored profile with `extra` added to the start tag of its root element. */
function withRootAttributes(extra: string): string {
  return stored().body.replace('<mcptt-user-profile ', `<mcptt-user-profile ${extra} `);
}

describe('CSC-4 writes of a user profile that is not valid against mcptt-user-profile.xsd', () => {
  it.each([
    ['a whole-document PUT with <Status foo="x"> (Status is xs:boolean: no attributes)', '', PROFILE_MIME, () => stored().body.replace('<Status>', '<Status foo="x">')],
    ['an element PUT of <Status foo="x">', '/~~/mcptt-user-profile/Status', 'application/xcap-el+xml', () => '<Status foo="x">true</Status>'],
    ['an attribute PUT of Status/@foo', '/~~/mcptt-user-profile/Status/@foo', 'application/xcap-att+xml', () => 'x'],
    ['an attribute on the empty-typed <Pre-selected-indication>', '', PROFILE_MIME, () => stored().body.replace('<Pre-selected-indication/>', '<Pre-selected-indication on="yes"/>')],
  ])('refuses %s with 409 schema-validation-error, the ETag unchanged', async (_name, path, type, body) => {
    const before = stored();
    const res = await put(path, type, body());
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(/<schema-validation-error phrase="[^"]*Status|<schema-validation-error phrase="[^"]*Pre-selected-indication/);
    expect(stored().etag).toBe(before.etag);
    expect(stored().body).toBe(before.body);
  });

  it('refuses 10,000 attributes on one element with 409 constraint-failure naming the limit', async () => {
    const before = stored();
    const attrs = Array.from({ length: 10_000 }, (_, i) => `a${i}="v"`).join(' ');
    const res = await put('', PROFILE_MIME, withRootAttributes(attrs));
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(/<constraint-failure phrase="[^"]*more than 256 attributes/);
    expect(stored().etag).toBe(before.etag);
  });

  it('refuses a 900 KB attribute value with 409 constraint-failure naming the limit', async () => {
    const before = stored();
    const res = await put('', PROFILE_MIME, withRootAttributes(`note="${'x'.repeat(900 * 1024)}"`));
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(/<constraint-failure phrase="[^"]*longer than 65536 characters/);
    expect(stored().etag).toBe(before.etag);
  });

  it('refuses a body over 1 MB with 413', async () => {
    const before = stored();
    const res = await put('', PROFILE_MIME, withRootAttributes(`note="${'x'.repeat(1100 * 1024)}"`));
    expect(res.status).toBe(413);
    expect(stored().etag).toBe(before.etag);
  });

  it('stores what the schema allows: an attribute from the root wildcard and a valid Status (the refusals above are about the schema and limits)', async () => {
    const before = stored();
    const body = withRootAttributes('xmlns:x="urn:example:ext" x:note="ok"').replace('<Status>true</Status>', '<Status>false</Status>');
    const res = await put('', PROFILE_MIME, body);
    expect(res.status).toBe(200);
    expect(stored().etag).not.toBe(before.etag);
    expect(stored().body).toContain('<Status>false</Status>');
  });
});
