/**
 * XCAP bad inputs (RFC 4825) at the CMS (CSC-4) and GMS (CSC-2) of both systems, generated as
 * mutations x targets: each target is one document its user may write (her user profile at the
 * CMS, the group she administers at the GMS), each mutation one way of getting the request wrong.
 *
 * Refused spec-shaped: a 4xx; a 409 carries an `application/xcap-error+xml` document (RFC 4825
 * clause 11), a 401 a Bearer challenge (RFC 6750 clause 3), a 405 an Allow header.
 * Changed state: the document's ETag (GET) or the number of documents the server stores.
 */
import { userProfileSelector } from '@mcx/cms';
import { GROUPS_MIME, groupSelector } from '@mcx/gms';
import type { ReliabilityLab } from './ecosystem.ts';
import { header, tryHttp, type HttpInput, type RefusalShape } from './http.ts';
import type { Tally } from './report.ts';

export const XCAP_SURFACE = 'xcap';

interface XcapTarget {
  name: string;
  xcapRoot: string;
  auid: string;
  selector: string;
  mime: string;
  token: string;
  /** Local name of the document's root element (node selectors start there). */
  root: string;
  /** The document with one attribute the schema does not allow. */
  schemaInvalid(doc: string): string;
  documentCount(): Promise<number>;
}

const xcapErrorShape: RefusalShape = (a) =>
  a.status !== 409 || (/^application\/xcap-error\+xml/.test(header(a, 'content-type')) && a.body.toString('utf8').includes('<xcap-error'));

/** The four targets: alice at mcx-a, dave at mcx-b; their profile (CMS) and their group (GMS). */
function targets(lab: ReliabilityLab): XcapTarget[] {
  const profileMime = 'application/vnd.3gpp.mcptt-user-profile+xml';
  // Status is xs:boolean (no attributes); mcptt-user-profile.xsd.
  const badStatus = (doc: string) => doc.replace('<Status>', '<Status foo="x">');
  // <display-name> is a plain string in the OMA group schema: no attributes outside xml:lang.
  const badGroup = (doc: string) => doc.replace(/<display-name\b/, '<display-name foo="x"');
  return [
    { name: 'cms-a', xcapRoot: lab.a.cms.xcapRoot, auid: 'org.3gpp.mcptt.user-profile', selector: userProfileSelector('sip:alice@mcx-a.example.net', 1), mime: profileMime, token: lab.alice.cms, root: 'mcptt-user-profile', schemaInvalid: badStatus, documentCount: () => lab.a.cms.db.prisma.xcapDocument.count() },
    { name: 'cms-b', xcapRoot: lab.b.cms.xcapRoot, auid: 'org.3gpp.mcptt.user-profile', selector: userProfileSelector('sip:dave@mcx-b.example.net', 1), mime: profileMime, token: lab.dave.cms, root: 'mcptt-user-profile', schemaInvalid: badStatus, documentCount: () => lab.b.cms.db.prisma.xcapDocument.count() },
    { name: 'gms-a', xcapRoot: lab.a.gms.xcapRoot, auid: 'org.openmobilealliance.groups', selector: groupSelector('sip:fire-a@mcx-a.example.net'), mime: GROUPS_MIME, token: lab.alice.gms, root: 'group', schemaInvalid: badGroup, documentCount: () => lab.a.databases.gms!.prisma.xcapDocument.count() },
    { name: 'gms-b', xcapRoot: lab.b.gms.xcapRoot, auid: 'org.openmobilealliance.groups', selector: groupSelector('sip:rescue-b@mcx-b.example.net'), mime: GROUPS_MIME, token: lab.dave.gms, root: 'group', schemaInvalid: badGroup, documentCount: () => lab.b.databases.gms!.prisma.xcapDocument.count() },
  ];
}

/** The document with `extra` inserted before the root's end tag. */
const beforeEnd = (doc: string, root: string, extra: string) => doc.replace(new RegExp(`(</(?:[\\w-]+:)?${root}>\\s*)$`), `${extra}$1`);
/** The document with `attrs` added to the root's start tag. */
const rootAttrs = (doc: string, root: string, attrs: string) => doc.replace(new RegExp(`<((?:[\\w-]+:)?${root})(\\s|>)`), `<$1 ${attrs}$2`);

/** Whole-document PUT bodies that are not a valid document (mutations of the current one). */
function badBodies(t: XcapTarget, doc: string): { name: string; body: string | Buffer; type?: string }[] {
  const noDecl = doc.replace(/^<\?xml[^>]*\?>\s*/, '');
  const many = Array.from({ length: 10_000 }, (_, i) => `a${i}="v"`).join(' ');
  return [
    { name: 'not-xml', body: 'this is not XML' },
    { name: 'empty', body: '' },
    { name: 'truncated', body: doc.slice(0, Math.floor(doc.length / 2)) },
    { name: 'two-roots', body: `${noDecl}${noDecl}` },
    { name: 'doctype-entities', body: `<!DOCTYPE ${t.root} [<!ENTITY e "expanded">]>${noDecl.replace('>', '>&e;')}` },
    { name: 'external-entity', body: `<!DOCTYPE ${t.root} [<!ENTITY x SYSTEM "file:///etc/passwd">]>${noDecl.replace('>', '>&x;')}` },
    { name: 'billion-laughs', body: `<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${noDecl.replace('>', '>&c;')}` },
    { name: 'wrong-namespace', body: doc.replace(/xmlns="[^"]*"/, 'xmlns="urn:example:not-this-schema"') },
    { name: 'unknown-root', body: `<?xml version="1.0" encoding="UTF-8"?><not-a-${t.root} xmlns="urn:example:x"/>` },
    { name: 'schema-invalid-attribute', body: t.schemaInvalid(doc) },
    { name: '10000-attributes', body: rootAttrs(doc, t.root, many) },
    { name: '900KB-attribute', body: rootAttrs(doc, t.root, `note="${'x'.repeat(900 * 1024)}"`) },
    { name: '50000-deep-nesting', body: beforeEnd(doc, t.root, `${'<x>'.repeat(50_000)}${'</x>'.repeat(50_000)}`) },
    { name: 'nul-character-reference', body: rootAttrs(doc, t.root, 'note="&#0;"') },
    { name: 'invalid-utf8', body: Buffer.concat([Buffer.from(doc.slice(0, 60)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(doc.slice(60))]) },
    { name: 'utf16-bytes', body: Buffer.from(`\ufeff${doc}`, 'utf16le') },
    { name: 'charset-utf-16', body: doc, type: `${t.mime}; charset=utf-16` },
    { name: 'charset-unknown', body: doc, type: `${t.mime}; charset=x-no-such-charset` },
    { name: 'content-type-text-plain', body: doc, type: 'text/plain' },
    { name: 'content-type-json', body: '{"not":"xml"}', type: 'application/json' },
    { name: 'content-type-other-auid', body: doc, type: t.mime.includes('groups') ? 'application/vnd.3gpp.mcptt-user-profile+xml' : 'application/vnd.oma.poc.groups+xml' },
    { name: 'body-1.1MB', body: rootAttrs(doc, t.root, `note="${'x'.repeat(1100 * 1024)}"`) },
    { name: 'body-5MB', body: 'x'.repeat(5 * 1024 * 1024) },
  ];
}

/** Selectors that do not name a document or node this user may write (GET and PUT). */
function badSelectors(t: XcapTarget): string[] {
  const docDir = t.selector.slice(0, t.selector.lastIndexOf('/'));
  return [
    `${t.auid}/users/%zz/doc.xml`,
    `${docDir}/%zz.xml`,
    `${docDir}/%00.xml`,
    `${docDir}/../../../../etc/passwd`,
    `${docDir}/%2e%2e/%2e%2e/%2e%2e/etc/passwd`,
    `${t.auid}/users/..%2f..%2fglobal/index`,
    `org.example.no-such-auid/users/x/doc.xml`,
    `${t.auid}/no-such-tree/doc.xml`,
    `${t.auid}/users/`,
    `${t.selector}/`,
    `${docDir}/${'a'.repeat(20_000)}.xml`,
    `${t.selector}/~~`,
    `${t.selector}/~~/${t.root}/[`,
    `${t.selector}/~~/${t.root}/x[@a=`,
    `${t.selector}/~~/${t.root}/*[0]`,
    `${t.selector}/~~/${t.root}/*[99999999999999999999999]`,
    `${t.selector}/~~/undeclared-prefix:${t.root}`,
    `${t.selector}/~~/${t.root}//descendant`,
    `${t.selector}/~~/${t.root}/@`,
    `${t.selector}/~~/${'x/'.repeat(5_000)}y`,
  ];
}

export async function xcapBarrage(lab: ReliabilityLab, tally: Tally): Promise<void> {
  // The four servers in parallel (each target's state is its own server's); inputs of one target in order.
  await Promise.all(targets(lab).map((t) => barrageOf(lab, tally, t)));
}

async function barrageOf(lab: ReliabilityLab, tally: Tally, t: XcapTarget): Promise<void> {
  const auth = { authorization: `Bearer ${t.token}` };
  const docUrl = `${t.xcapRoot}/${t.selector}`;
  const current = await lab.raw('GET', docUrl, auth);
  if (current.status !== 200) throw new Error(`${t.name}: GET ${t.selector} answered ${current.status}`);
  const doc = current.body.toString('utf8');
  const state = async () => `${header(await lab.raw('GET', docUrl, auth), 'etag')} ${await t.documentCount()}`;
  const send = (input: HttpInput) => tryHttp(tally, XCAP_SURFACE, { ...input, input: `${t.name} ${input.input}` }, xcapErrorShape, state, lab.raw);

  for (const b of badBodies(t, doc)) {
    await send({ input: `PUT body:${b.name}`, method: 'PUT', url: docUrl, headers: { ...auth, 'content-type': b.type ?? t.mime }, body: b.body });
  }
  const named = (sel: string) => sel.replace(t.selector, '<doc>').slice(0, 100);
  for (const sel of badSelectors(t)) {
    await send({ input: `GET selector:${named(sel)}`, method: 'GET', url: `${t.xcapRoot}/${sel}`, headers: auth });
    await send({ input: `PUT selector:${named(sel)}`, method: 'PUT', url: `${t.xcapRoot}/${sel}`, headers: { ...auth, 'content-type': t.mime }, body: doc });
  }
  // The namespace bindings of an element (RFC 4825 clause 6.4) may be read, never written.
  await send({ input: 'PUT selector:<doc>/~~/<root>/namespace::*', method: 'PUT', url: `${docUrl}/~~/${t.root}/namespace::*`, headers: { ...auth, 'content-type': 'application/xcap-ns+xml' }, body: '<x xmlns:a="urn:a"/>' });
  // Element and attribute PUTs that are not well-formed fragments or would break the schema (RFC 4825 clause 8.2.3).
  const node = `${docUrl}/~~/${t.root}`;
  const fragments: [string, string, string, string][] = [
    ['element not-xml-frag', `${node}/x`, 'application/xcap-el+xml', '<x>unclosed'],
    ['element two-elements', `${node}/x`, 'application/xcap-el+xml', '<x/><x/>'],
    ['element name-mismatch', `${node}/x`, 'application/xcap-el+xml', '<y/>'],
    ['element 50000-deep', `${node}/x`, 'application/xcap-el+xml', `${'<x>'.repeat(50_000)}${'</x>'.repeat(50_000)}`],
    ['element no-parent', `${node}/no/such/parent`, 'application/xcap-el+xml', '<parent/>'],
    ['attribute not-att-value', `${node}/@foo`, 'application/xcap-att+xml', '"<&'],
    ['attribute wrong-type', `${node}/@foo`, 'application/xcap-el+xml', 'x'],
  ];
  for (const [name, url, type, body] of fragments) await send({ input: `PUT ${name}`, method: 'PUT', url, headers: { ...auth, 'content-type': type }, body });
  // Conditional requests that do not hold (RFC 9110 clause 13.1): 412, nothing written.
  const etag = header(await lab.raw('GET', docUrl, auth), 'etag');
  const conditions: [string, Record<string, string>][] = [
    ['if-match-wrong', { 'if-match': '"not-the-etag"' }],
    ['if-match-unquoted', { 'if-match': 'garbage' }],
    ['if-match-weak', { 'if-match': `W/${etag}` }],
    ['if-match-list-wrong', { 'if-match': '"a", "b", "c"' }],
    ['if-match-10000-tags', { 'if-match': Array.from({ length: 10_000 }, (_, i) => `"t${i}"`).join(', ') }],
    ['if-none-match-star', { 'if-none-match': '*' }],
    ['if-none-match-current', { 'if-none-match': etag }],
  ];
  for (const [name, h] of conditions) {
    await send({ input: `PUT ${name}`, method: 'PUT', url: docUrl, headers: { ...auth, ...h, 'content-type': t.mime }, body: doc });
  }
  await send({ input: 'DELETE if-match-wrong', method: 'DELETE', url: docUrl, headers: { ...auth, 'if-match': '"not-the-etag"' } });
  await send({ input: 'PUT if-match-star-absent', method: 'PUT', url: `${docUrl.replace(/\.xml$/, '')}-absent.xml`, headers: { ...auth, 'if-match': '*', 'content-type': t.mime }, body: doc });
  // Methods XCAP does not define (RFC 4825 clause 6: GET, PUT, DELETE).
  for (const method of ['POST', 'PATCH', 'PROPFIND', 'MKCOL', 'TRACE']) {
    await send({ input: `${method} document`, method, url: docUrl, headers: { ...auth, 'content-type': t.mime }, body: method === 'TRACE' ? undefined : doc });
  }
}
