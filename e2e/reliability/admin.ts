/**
 * Admin API bad inputs at the IdMS, CMS (admin API and CSC-17) and GMS of both systems: bodies
 * that are not JSON, of the wrong types or too large (3 MB), unknown users and groups, URIs with
 * a quote or angle brackets, bad conditions, unknown routes, missing or foreign credentials.
 *
 * Refused spec-shaped: our JSON error `{ error, error_description | detail }` with a 4xx (docs/
 * conventions.md), a 401 with a Bearer challenge (RFC 6750 clause 3). Changed state: every stored
 * document's ETag (CMS, GMS) and the migration authorizations and accounts (IdMS).
 */
import type { ReliabilityLab, System } from './ecosystem.ts';
import { jsonError, tryHttp, type HttpInput } from './http.ts';
import type { Tally } from './report.ts';

export const ADMIN_SURFACE = 'admin';

const BIG = 'x'.repeat(3 * 1024 * 1024);
const enc = encodeURIComponent;

/** Every stored document and its ETag, in one string. */
async function documentsOf(prisma: NonNullable<System['databases']['cms']>['prisma']): Promise<string> {
  const rows = await prisma.xcapDocument.findMany({ select: { selector: true, etag: true }, orderBy: { selector: 'asc' } });
  return rows.map((r) => `${r.selector}=${r.etag}`).join('\n');
}

export async function adminBarrage(lab: ReliabilityLab, tally: Tally): Promise<void> {
  for (const [sys, other, user, group] of [
    [lab.a, lab.b, 'sip:alice@mcx-a.example.net', 'fire-a'],
    [lab.b, lab.a, 'sip:dave@mcx-b.example.net', 'rescue-b'],
  ] as const) {
    const s = sys.config.id;
    const admin = { authorization: `Bearer ${sys.admin.token}` };
    const json = { ...admin, 'content-type': 'application/json' };
    const xml = { ...admin, 'content-type': 'application/xml' };
    const cmsState = () => documentsOf(sys.databases.cms!.prisma);
    const gmsState = () => documentsOf(sys.databases.gms!.prisma);
    const idmsState = async () =>
      JSON.stringify([await sys.databases.idms!.prisma.migrationAuthorization.findMany({ orderBy: { mcpttId: 'asc' } }), await sys.databases.idms!.prisma.account.count()]);
    const send = (state: () => Promise<string>, input: HttpInput) => tryHttp(tally, ADMIN_SURFACE, { ...input, input: `${s} ${input.input}` }, jsonError, state, lab.raw);

    // The CMS admin API and CSC-17.
    const cms = `${sys.cms.httpUrl}/admin`;
    const profile = `org.3gpp.mcptt.user-profile/users/${user}/mcptt-user-profile-1.xml`;
    const eve = enc(`sip:eve@${sys.config.domain}`);
    const cmsInputs: HttpInput[] = [
      { input: 'cms PUT users not-json', method: 'PUT', url: `${cms}/users/${eve}`, headers: json, body: '{"profiles": [' },
      { input: 'cms PUT users wrong-types', method: 'PUT', url: `${cms}/users/${eve}`, headers: json, body: JSON.stringify({ profiles: 'alice' }) },
      { input: 'cms PUT users profile-index-not-a-number', method: 'PUT', url: `${cms}/users/${eve}`, headers: json, body: JSON.stringify({ profiles: [{ index: 'one', name: 'x' }] }) },
      { input: 'cms PUT users 3MB', method: 'PUT', url: `${cms}/users/${eve}`, headers: json, body: JSON.stringify({ profiles: [], pad: BIG }) },
      { input: 'cms PUT users id-with-quote', method: 'PUT', url: `${cms}/users/${enc(`sip:ev"e@${sys.config.domain}`)}`, headers: json, body: JSON.stringify({ profiles: [{ index: 1, name: 'home', preSelected: true }] }) },
      { input: 'cms PUT users id-not-a-uri', method: 'PUT', url: `${cms}/users/${enc('not a uri <x>')}`, headers: json, body: JSON.stringify({ profiles: [{ index: 1, name: 'home', preSelected: true }] }) },
      { input: 'cms PUT migrations not-json', method: 'PUT', url: `${cms}/migrations/${enc(user)}`, headers: json, body: '{"partnerSystemId": ' },
      { input: 'cms PUT migrations wrong-types', method: 'PUT', url: `${cms}/migrations/${enc(user)}`, headers: json, body: JSON.stringify({ partnerSystemId: 42, profile: 'x' }) },
      { input: 'cms PUT migrations unknown-user', method: 'PUT', url: `${cms}/migrations/${eve}`, headers: json, body: JSON.stringify({ partnerSystemId: other.config.id, profile: { index: 5, name: 'visiting' } }) },
      { input: 'cms PUT migrations unknown-partner', method: 'PUT', url: `${cms}/migrations/${enc(user)}`, headers: json, body: JSON.stringify({ partnerSystemId: 'mcx-zz', profile: { index: 5, name: 'visiting' } }) },
      { input: 'cms DELETE migrations unknown', method: 'DELETE', url: `${cms}/migrations/${eve}?partner=${other.config.id}`, headers: admin },
      { input: 'cms POST seed not-json', method: 'POST', url: `${cms}/seed`, headers: json, body: '{"users": [' },
      { input: 'cms POST seed wrong-types', method: 'POST', url: `${cms}/seed`, headers: json, body: JSON.stringify({ system: 'x', users: 'alice' }) },
      { input: 'cms PUT documents not-xml', method: 'PUT', url: `${cms}/documents/${profile}`, headers: xml, body: 'not xml' },
      { input: 'cms PUT documents 3MB', method: 'PUT', url: `${cms}/documents/${profile}`, headers: xml, body: BIG },
      { input: 'cms PUT documents if-match-wrong', method: 'PUT', url: `${cms}/documents/${profile}`, headers: { ...xml, 'if-match': '"not-the-etag"' }, body: '<x/>' },
      { input: 'cms PUT documents if-match-star', method: 'PUT', url: `${cms}/documents/${profile}`, headers: { ...xml, 'if-match': '*' }, body: '<x/>' },
      { input: 'cms GET documents %zz', method: 'GET', url: `${cms}/documents/org.3gpp.mcptt.user-profile/users/%zz/mcptt-user-profile-1.xml`, headers: admin },
      { input: 'cms PUT documents unknown-auid', method: 'PUT', url: `${cms}/documents/org.example.none/users/${user}/x.xml`, headers: xml, body: '<x/>' },
      { input: 'cms DELETE documents unknown', method: 'DELETE', url: `${cms}/documents/org.3gpp.mcptt.user-profile/users/${eve}/mcptt-user-profile-1.xml`, headers: admin },
      { input: 'cms GET unknown-route', method: 'GET', url: `${cms}/no-such-route`, headers: admin },
      { input: 'cms GET no-credential', method: 'GET', url: `${cms}/users` },
      { input: 'cms GET other-system-credential', method: 'GET', url: `${cms}/users`, headers: { authorization: `Bearer ${other.admin.token}` } },
      { input: 'csc17 PUT not-json', method: 'PUT', url: `${sys.cms.httpUrl}/csc17/migrations/${enc(user)}`, headers: json, body: '{"homeSystemId": ' },
      { input: 'csc17 PUT wrong-types', method: 'PUT', url: `${sys.cms.httpUrl}/csc17/migrations/${enc(user)}`, headers: json, body: JSON.stringify({ homeSystemId: 7, accessProfiles: 'all' }) },
      { input: 'csc17 PUT 3MB', method: 'PUT', url: `${sys.cms.httpUrl}/csc17/migrations/${enc(user)}`, headers: json, body: JSON.stringify({ pad: BIG }) },
    ];
    for (const input of cmsInputs) await send(cmsState, input);

    // The GMS admin API.
    const gms = sys.gms.adminUrl;
    const gmsInputs: HttpInput[] = [
      { input: 'gms PUT groups not-json', method: 'PUT', url: `${gms}/groups/${group}`, headers: json, body: '{"displayName": ' },
      { input: 'gms PUT groups wrong-types', method: 'PUT', url: `${gms}/groups/${group}`, headers: json, body: JSON.stringify({ displayName: 7, members: 'all' }) },
      { input: 'gms PUT groups 3MB', method: 'PUT', url: `${gms}/groups/${group}`, headers: json, body: JSON.stringify({ displayName: BIG }) },
      { input: 'gms PUT groups member-with-quote', method: 'PUT', url: `${gms}/groups/${group}`, headers: json, body: JSON.stringify({ displayName: 'G', members: [`sip:ev"e@${sys.config.domain}`] }) },
      { input: 'gms PUT groups id-with-quote', method: 'PUT', url: `${gms}/groups/${enc('fi"re')}`, headers: json, body: JSON.stringify({ displayName: 'G', members: [] }) },
      { input: 'gms PUT groups if-match-wrong', method: 'PUT', url: `${gms}/groups/${group}`, headers: { ...json, 'if-match': '"not-the-etag"' }, body: JSON.stringify({ displayName: 'G', members: [] }) },
      { input: 'gms PUT member quote', method: 'PUT', url: `${gms}/groups/${group}/members/${enc(`sip:ev"e@${sys.config.domain}`)}`, headers: json, body: '{}' },
      { input: 'gms PUT member angle-brackets', method: 'PUT', url: `${gms}/groups/${group}/members/${enc('sip:<eve>@x')}`, headers: json, body: '{}' },
      { input: 'gms PUT member not-a-uri', method: 'PUT', url: `${gms}/groups/${group}/members/${enc('not a uri')}`, headers: json, body: '{}' },
      { input: 'gms PUT member of-unknown-group', method: 'PUT', url: `${gms}/groups/no-such-group/members/${enc(user)}`, headers: json, body: '{}' },
      { input: 'gms DELETE member not-a-member', method: 'DELETE', url: `${gms}/groups/${group}/members/${eve}`, headers: admin },
      { input: 'gms DELETE unknown-group', method: 'DELETE', url: `${gms}/groups/no-such-group`, headers: admin },
      { input: 'gms GET unknown-group', method: 'GET', url: `${gms}/groups/no-such-group`, headers: admin },
      { input: 'gms PUT administrators wrong-types', method: 'PUT', url: `${gms}/groups/${group}/administrators`, headers: json, body: JSON.stringify({ administrators: 'everyone' }) },
      { input: 'gms GET unknown-route', method: 'GET', url: `${gms}/no-such-route`, headers: admin },
      { input: 'gms GET no-credential', method: 'GET', url: `${gms}/groups` },
      { input: 'gms GET other-system-credential', method: 'GET', url: `${gms}/groups`, headers: { authorization: `Bearer ${other.admin.token}` } },
    ];
    for (const input of gmsInputs) await send(gmsState, input);

    // The IdMS admin API (migration authorizations).
    const idms = `${sys.idms.url}/admin/migration-authorizations`;
    const carol = enc('sip:carol@mcx-a.example.net');
    const idmsInputs: HttpInput[] = [
      { input: 'idms PUT not-json', method: 'PUT', url: `${idms}/${carol}`, headers: json, body: '{"homeSystemId": ' },
      { input: 'idms PUT wrong-types', method: 'PUT', url: `${idms}/${carol}`, headers: json, body: JSON.stringify({ homeSystemId: 7, accessProfiles: ['x'] }) },
      { input: 'idms PUT 3MB', method: 'PUT', url: `${idms}/${carol}`, headers: json, body: JSON.stringify({ homeSystemId: BIG }) },
      { input: 'idms PUT other-partner', method: 'PUT', url: `${idms}/${carol}`, headers: json, body: JSON.stringify({ homeSystemId: other.config.id, partnerSystemId: 'mcx-zz', accessProfiles: [1] }) },
      { input: 'idms DELETE unknown', method: 'DELETE', url: `${idms}/${enc('sip:nobody@mcx-a.example.net')}?home=${other.config.id}`, headers: admin },
      { input: 'idms DELETE without-home', method: 'DELETE', url: `${idms}/${carol}`, headers: admin },
      { input: 'idms GET unknown-route', method: 'GET', url: `${sys.idms.url}/admin/no-such-route`, headers: admin },
      { input: 'idms GET no-credential', method: 'GET', url: idms },
      { input: 'idms GET other-system-credential', method: 'GET', url: idms, headers: { authorization: `Bearer ${other.admin.token}` } },
    ];
    for (const input of idmsInputs) await send(idmsState, input);
  }
}
