// Per-document limits of the CMS (our choice, CMS config `documentLimits`, counted on the body before any DOM is built: @mcx/xml
// limits.ts): the schema-valid 0.8 MB profile with 200,000 extension elements of issue #18 is refused with 409 constraint-failure
// (RFC 4825 clause 11.5) on CSC-4 and on the admin API, a body over the size limit with 413, and nothing is stored: a GET afterwards
// answers the same ETag. The largest profile within the limits is stored, its checks run in a worker thread (write-checker.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xmlLimitViolation, type XmlShape } from '@mcx/xml';
import { userProfileSelector } from '../src/index.ts';
import { ADMIN_A, ALICE, bearer, login, startCmsLab, type CmsLab } from './fixtures.ts';

let lab: CmsLab;
let alice: string;
const SEL = userProfileSelector(ALICE, 2);
const PROFILE_MIME = 'application/vnd.3gpp.mcptt-user-profile+xml';
const EXT_NS = 'urn:example:large-upload';

beforeAll(async () => {
  lab = await startCmsLab({ systems: ['mcx-a'] });
  alice = (await login(lab.idmss.a.issuer, 'alice')).accessToken;
});
afterAll(async () => {
  await lab?.close();
});

const stored = () => lab.a.cms.store.peek(SEL)!;
/** Alice's stored profile with `n` empty elements of a foreign namespace (xs:any ##other at the root) before its end tag. */
function withExtensionElements(n: number): string {
  return stored().body.replace(/<\/([\w:]*)mcptt-user-profile>\s*$/, (end) => `<e xmlns="${EXT_NS}">${'<b/>'.repeat(n)}</e>${end}`);
}
const elementsOf = (xml: string) => {
  const shape: XmlShape = { elements: 0, depth: 0 };
  xmlLimitViolation(xml, undefined, shape);
  return shape.elements;
};

async function getEtag(): Promise<string | null> {
  const res = await fetch(`${lab.a.cms.xcapRoot}/${SEL}`, { headers: bearer(alice) });
  expect(res.status).toBe(200);
  return res.headers.get('etag');
}
const putXcap = (body: string) => fetch(`${lab.a.cms.xcapRoot}/${SEL}`, { method: 'PUT', headers: { ...bearer(alice), 'content-type': PROFILE_MIME }, body });
const putAdmin = (body: string) => fetch(`${lab.a.cms.httpUrl}/admin/documents/${SEL}`, { method: 'PUT', headers: { ...bearer(ADMIN_A), 'content-type': PROFILE_MIME }, body });

describe('the per-document limits of the CMS', () => {
  it('refuses the 0.8 MB profile with 200,000 extension elements on CSC-4 with 409 constraint-failure, storing nothing', async () => {
    const etag = await getEtag();
    const body = withExtensionElements(200_000);
    expect(body.length).toBeGreaterThan(800_000);
    const res = await putXcap(body);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/xcap-error+xml');
    expect(await res.text()).toMatch(/<constraint-failure phrase="the document has more than 20000 elements \(limit of this server\)"\/>/);
    expect(await getEtag()).toBe(etag);
  });

  it('refuses it on the admin API with 409 constraint-failure as JSON, storing nothing', async () => {
    const etag = await getEtag();
    const res = await putAdmin(withExtensionElements(200_000));
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'constraint-failure', detail: 'the document has more than 20000 elements (limit of this server)' });
    expect(await getEtag()).toBe(etag);
  });

  it('refuses a body over the size limit with 413 on CSC-4, storing nothing', async () => {
    const etag = await getEtag();
    const res = await putXcap(stored().body.replace('<Status>', `<!-- ${'x'.repeat(1100 * 1024)} --><Status>`));
    expect(res.status).toBe(413);
    expect(await getEtag()).toBe(etag);
  });

  it('refuses a profile nesting elements deeper than the limit with 409 and an xcap-error, storing nothing', async () => {
    const etag = await getEtag();
    const body = stored().body.replace(/<\/([\w:]*)mcptt-user-profile>\s*$/, (end) => `<e xmlns="${EXT_NS}">${'<d>'.repeat(200)}${'</d>'.repeat(200)}</e>${end}`);
    const res = await putXcap(body);
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(/<xcap-error xmlns="urn:ietf:params:xml:ns:xcap-error"><(not-well-formed|constraint-failure) phrase="elements nest deeper than 128 levels/);
    expect(await getEtag()).toBe(etag);
  });

  it('stores the largest profile within the limits (20,000 elements) through CSC-4 and the admin API, checked in a worker thread', async () => {
    const base = elementsOf(stored().body);
    const completed = lab.a.cms.writeChecker.stats().completed;
    const body = withExtensionElements(20_000 - base - 1);
    expect(elementsOf(body)).toBe(20_000);
    const res = await putXcap(body);
    expect(res.status).toBe(200);
    expect(await getEtag()).toBe(res.headers.get('etag'));
    const admin = await putAdmin(body.replace(`<e xmlns="${EXT_NS}">`, `<e xmlns="${EXT_NS}" v="2">`));
    expect(admin.status).toBe(200);
    expect(lab.a.cms.writeChecker.stats().completed).toBe(completed + 2);
  });
});
