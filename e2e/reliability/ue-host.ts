/**
 * UE host control API bad inputs (docs/ue-host-api.md): body mutations x routes (not JSON, 3 MB,
 * a JSON value of the wrong kind, wrong field types, a `__proto__` key), unknown UEs on every
 * per-UE route, bad PLMN ids, unknown routes and methods.
 *
 * Refused spec-shaped: the API's JSON error `{ error, detail }` with a 4xx. Changed state: the
 * UEs of the host with their PLMN and MC system.
 */
import type { ReliabilityLab } from './ecosystem.ts';
import { jsonError, tryHttp, type HttpInput } from './http.ts';
import type { Tally } from './report.ts';

export const UE_HOST_SURFACE = 'ue-host';

const UE = 'reliability-alice';

export async function ueHostBarrage(lab: ReliabilityLab, tally: Tally): Promise<void> {
  const { host } = lab;
  const ue = host.ue(UE) ?? host.createUe({ id: UE, user: 'alice' });
  await ue.waitFor((u) => u.state === 'STABLE');
  // The control secret, when this host has one (the API's authentication, docs/ue-host-api.md).
  const secret = (host as { controlToken?: string }).controlToken;
  const auth: Record<string, string> = secret ? { authorization: `Bearer ${secret}` } : {};
  const json = { ...auth, 'content-type': 'application/json' };
  const api = `${host.url}/api`;
  const state = async () =>
    JSON.stringify(
      host
        .ues()
        .map((u) => u.snapshot())
        .map((s) => [s.id, s.plmn, s.system])
        .sort(),
    );
  const send = (input: HttpInput) => tryHttp(tally, UE_HOST_SURFACE, input, jsonError, state, lab.raw);

  // 1. Body mutations on every route that reads a body.
  const bodies: [string, string][] = [
    ['not-json', '{"user": '],
    ['3MB', JSON.stringify({ user: 'x'.repeat(3 * 1024 * 1024) })],
    ['json-array', '[]'],
    ['json-null', 'null'],
    ['json-string', '"alice"'],
    ['wrong-types', JSON.stringify({ user: 42, plmn: 101, count: 'many', ids: 'all', selector: 7, xml: false })],
    ['proto-key', '{"__proto__": {"user": "alice", "plmn": "00101", "count": 1}}'],
  ];
  const routes: [string, string][] = [
    ['create', `${api}/ues`],
    ['bulk', `${api}/ues/bulk`],
    ['bulk-plmn', `${api}/ues/bulk/plmn`],
    ['plmn', `${api}/ues/${UE}/plmn`],
    ['upload', `${api}/ues/${UE}/upload`],
  ];
  for (const [route, url] of routes) {
    for (const [name, body] of bodies) {
      // An upload without fields uploads the active profile (docs/ue-host-api.md): an unknown key alone is no bad input there.
      if (route === 'upload' && name === 'proto-key') continue;
      await send({ input: `POST ${route} body:${name}`, method: 'POST', url, headers: json, body });
    }
  }
  // sync reads no fields: only a body that cannot be read is refused.
  for (const [name, body] of bodies.slice(0, 2)) await send({ input: `POST sync body:${name}`, method: 'POST', url: `${api}/ues/${UE}/sync`, headers: json, body });

  // 2. Field values that are wrong.
  const fields: [string, string, unknown][] = [
    ['create no-user', `${api}/ues`, { plmn: '00101' }],
    ['create unknown-user', `${api}/ues`, { user: 'nobody' }],
    ['create duplicate-id', `${api}/ues`, { user: 'alice', id: UE }],
    ['create bad-plmn', `${api}/ues`, { user: 'alice', plmn: 'abc' }],
    ['create plmn-too-long', `${api}/ues`, { user: 'alice', plmn: '0010100' }],
    ['bulk count-0', `${api}/ues/bulk`, { count: 0, user: 'alice' }],
    ['bulk count-too-large', `${api}/ues/bulk`, { count: 100_001, user: 'alice' }],
    ['bulk count-fraction', `${api}/ues/bulk`, { count: 1.5, user: 'alice' }],
    ['bulk no-user', `${api}/ues/bulk`, { count: 1 }],
    ['bulk unknown-user', `${api}/ues/bulk`, { count: 1, user: 'nobody', prefix: 'reliability-bulk' }],
    ['bulk-plmn bad-plmn', `${api}/ues/bulk/plmn`, { plmn: '1', ids: [UE] }],
    ['bulk-plmn no-plmn', `${api}/ues/bulk/plmn`, { ids: [UE] }],
    ['plmn letters', `${api}/ues/${UE}/plmn`, { plmn: 'abcde' }],
    ['plmn number', `${api}/ues/${UE}/plmn`, { plmn: 101 }],
    ['plmn too-short', `${api}/ues/${UE}/plmn`, { plmn: '0010' }],
    ['plmn too-long', `${api}/ues/${UE}/plmn`, { plmn: '0010100' }],
    ['plmn empty', `${api}/ues/${UE}/plmn`, {}],
    ['upload unknown-selector', `${api}/ues/${UE}/upload`, { selector: 'org.3gpp.mcptt.user-profile/users/sip:nobody@mcx-a.example.net/mcptt-user-profile-1.xml' }],
    ['upload selector-not-a-string', `${api}/ues/${UE}/upload`, { selector: 42 }],
    ['upload xml-not-a-string', `${api}/ues/${UE}/upload`, { xml: 42 }],
  ];
  for (const [name, url, body] of fields) await send({ input: `POST ${name}`, method: 'POST', url, headers: json, body: JSON.stringify(body) });

  // 3. Unknown UEs on every per-UE route.
  const nobody = 'no-such-ue';
  const perUe: [string, string, string?][] = [
    ['GET', `${api}/ues/${nobody}`],
    ['DELETE', `${api}/ues/${nobody}`],
    ['POST', `${api}/ues/${nobody}/plmn`, JSON.stringify({ plmn: '00102' })],
    ['POST', `${api}/ues/${nobody}/sync`, '{}'],
    ['POST', `${api}/ues/${nobody}/upload`, '{}'],
    ['GET', `${api}/ues/${nobody}/documents/0`],
    ['GET', `${api}/ues/${nobody}/messages`],
    ['GET', `${api}/ues/${encodeURIComponent('../../etc/passwd')}`],
  ];
  for (const [method, url, body] of perUe) await send({ input: `${method} unknown-ue ${url.slice(api.length)}`, method, url, headers: body ? json : auth, ...(body ? { body } : {}) });
  await send({ input: 'GET document index-out-of-range', method: 'GET', url: `${api}/ues/${UE}/documents/9999`, headers: auth });
  await send({ input: 'GET document index-not-a-number', method: 'GET', url: `${api}/ues/${UE}/documents/abc`, headers: auth });

  // 4. Unknown routes and methods.
  const routesAndMethods: [string, string][] = [
    ['GET', `${api}/no-such-thing`],
    ['POST', `${api}/no-such-thing`],
    ['GET', `${host.url}/no-such-thing`],
    ['PUT', `${api}/ues`],
    ['PATCH', `${api}/ues/${UE}`],
    ['PUT', `${api}/ues/${UE}`],
    ['DELETE', `${api}/ues`],
    ['POST', `${api}/ues/${UE}/documents/0`],
    ['POST', `${api}/ues/${UE}/x/y/z`],
    ['DELETE', `${api}/events`],
  ];
  for (const [method, url] of routesAndMethods) await send({ input: `${method} ${url.slice(host.url.length)}`, method, url, headers: json, body: method === 'GET' ? undefined : '{}' });
}
