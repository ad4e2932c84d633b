// Service authorization (TS 24.379 clause 7 shape) and migration service authorization (clause 7A
// shape) at real MCSs, with real tokens from two real IdMSs, over real SIP (UDP and TCP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpttInfoWithAccessToken, serializeMcpttInfo } from '@mcx/documents';
import { buildMultipart, MCPTT_INFO_CONTENT_TYPE, SipEndpoint, type SipResponse } from '@mcx/sip';
import { buildMigrationElement, startMcs, type Decision, type McsHandle } from '../src/index.ts';
import { ALICE, startFixture, type Fixture } from './fixture.ts';

let fx: Fixture;
let mcsA: McsHandle;
let mcsB: McsHandle;
let ue: SipEndpoint;
let home: { accessToken: string; refreshToken: string };
let partner: string;

const info = (token: string, migration?: { homeSystem: string; userProfileIndex: number }) => {
  const doc = mcpttInfoWithAccessToken(token);
  if (migration) doc.params.other = [buildMigrationElement({ ...migration, userProfile: undefined })];
  return serializeMcpttInfo(doc);
};

function register(mcs: McsHandle, body: string | undefined, options: { expires?: number; multipart?: boolean; tcp?: boolean; method?: 'REGISTER' | 'PUBLISH' } = {}): Promise<SipResponse> {
  const multipart = body !== undefined && options.multipart ? buildMultipart([{ contentType: MCPTT_INFO_CONTENT_TYPE, body }]) : undefined;
  const method = options.method ?? 'REGISTER';
  return ue.request({
    method,
    uri: mcs.psi,
    from: `<${ALICE}>`,
    to: `<${ALICE}>`,
    target: { protocol: options.tcp ? 'tcp' : 'udp', host: '127.0.0.1', port: mcs.port },
    headers: {
      Contact: ue.contact(options.tcp ? 'tcp' : 'udp', 'ue-alice'),
      Expires: String(options.expires ?? 600),
      ...(method === 'PUBLISH' ? { Event: 'poc.settings' } : {}),
    },
    ...(multipart ? { body: multipart.body, contentType: multipart.contentType } : body !== undefined ? { body, contentType: MCPTT_INFO_CONTENT_TYPE } : {}),
  });
}

const warning = (r: SipResponse) => r.headers.get('warning') ?? '';

beforeAll(async () => {
  fx = await startFixture();
  mcsA = fx.mcsA;
  mcsB = fx.mcsB;
  ue = await SipEndpoint.create({});
  home = await fx.loginA();
  partner = await fx.partnerToken(home.refreshToken);
});

afterAll(async () => {
  await ue?.close();
  await fx?.close();
});

describe('service authorization in the primary MC system (TS 24.379 clause 7)', () => {
  it('accepts a REGISTER whose mcptt-info carries a valid access token and records the registration', async () => {
    const r = await register(mcsA, info(home.accessToken));
    expect(r.status).toBe(200);
    expect(r.headers.get('expires')).toBe('600');
    expect(mcsA.registrations().map((x) => [x.mcpttId, x.kind, x.homeSystem])).toContainEqual([ALICE, 'service', 'mcx-a']);
  });

  it('accepts the token inside a multipart/mixed body, over TCP, and a PUBLISH of poc-settings', async () => {
    expect((await register(mcsA, info(home.accessToken), { multipart: true, tcp: true })).status).toBe(200);
    const p = await register(mcsA, info(home.accessToken), { method: 'PUBLISH' });
    expect(p.status).toBe(200);
    expect(p.headers.get('sip-etag')).toBeTruthy();
  });

  it('caps Expires at the maximum, and de-registers with Expires: 0', async () => {
    const r = await register(mcsA, info(home.accessToken), { expires: 999_999 });
    expect(r.headers.get('expires')).toBe('3600');
    expect((await register(mcsA, info(home.accessToken), { expires: 0 })).status).toBe(200);
    expect(mcsA.registrations().filter((x) => x.contact.includes('ue-alice') && !x.contact.includes('tcp'))).toEqual([]);
  });

  it('refuses a de-registration without a valid access token with 403 and a Warning, and keeps the binding', async () => {
    expect((await register(mcsA, info(home.accessToken))).status).toBe(200);
    const aliceUdp = () => mcsA.registrations().filter((x) => x.mcpttId === ALICE && x.contact.includes('ue-alice') && !x.contact.includes('tcp'));
    expect(aliceUdp()).toHaveLength(1);
    const anonymous = await register(mcsA, undefined, { expires: 0 });
    expect([anonymous.status, anonymous.reason]).toEqual([403, 'Forbidden - No mcptt-info']);
    expect(warning(anonymous)).toMatch(/^399 \S+ "no-mcptt-info: /);
    const [h, p, s] = home.accessToken.split('.');
    const tampered = await register(mcsA, info(`${h}.${p}.${s!.slice(0, -4)}AAAA`), { expires: 0 });
    expect([tampered.status, tampered.reason]).toEqual([403, 'Forbidden - Invalid Access Token']);
    expect(aliceUdp()).toHaveLength(1);
  });

  it("a de-registration with another user's token drops only that user's bindings, never alice's", async () => {
    expect((await register(mcsA, info(home.accessToken))).status).toBe(200);
    const bob = await fx.loginA('bob');
    expect((await register(mcsA, info(bob.accessToken), { expires: 0 })).status).toBe(200);
    expect(mcsA.registrations().filter((x) => x.mcpttId === ALICE && x.contact.includes('ue-alice') && !x.contact.includes('tcp'))).toHaveLength(1);
    expect((await register(mcsA, info(home.accessToken), { expires: 0 })).status).toBe(200);
    expect(mcsA.registrations().filter((x) => x.mcpttId === ALICE && x.contact.includes('ue-alice') && !x.contact.includes('tcp'))).toEqual([]);
  });

  it('refuses a REGISTER without mcptt-info with 403 and a reason', async () => {
    const r = await register(mcsA, undefined);
    expect(r.status).toBe(403);
    expect(r.reason).toBe('Forbidden - No mcptt-info');
    expect(warning(r)).toMatch(/^399 \S+ "no-mcptt-info: /);
  });

  it('refuses a token of another IdMS, a tampered token and a token without the MC service scope', async () => {
    const wrongIssuer = await register(mcsA, info(partner));
    expect([wrongIssuer.status, wrongIssuer.reason]).toEqual([403, 'Forbidden - Invalid Access Token']);
    expect(warning(wrongIssuer)).toMatch(/invalid-token: (wrong-issuer|unknown-key)/);
    const [h, p, s] = home.accessToken.split('.');
    const tampered = await register(mcsA, info(`${h}.${p}.${s!.slice(0, -4)}AAAA`));
    expect(tampered.status).toBe(403);
    expect(warning(tampered)).toMatch(/invalid-token: (bad-signature|malformed)/);
  });

  it('refuses a partner (token-exchange) token without a migration request: clause 7A is required', async () => {
    const r = await register(mcsB, info(partner));
    expect([r.status, r.reason]).toEqual([403, 'Forbidden - Migration Service Authorization Required']);
  });

  it('answers OPTIONS with 200 (health)', async () => {
    const r = await ue.request({ method: 'OPTIONS', uri: mcsA.psi, from: `<${ALICE}>`, target: { protocol: 'udp', host: '127.0.0.1', port: mcsA.port } });
    expect(r.status).toBe(200);
  });
});

describe('migration service authorization in the partner MC system (TS 24.379 clause 7A shape)', () => {
  it('accepts the partner token with a selected user profile the partner CMS received by CSC-17', async () => {
    fx.csc5.rows.set(ALICE, { homeSystemId: 'mcx-a', accessProfiles: [1], profileSelector: 'pre-selected', status: 'authorized' });
    const decisions: Decision[] = [];
    const off = mcsB.onDecision((d) => decisions.push(d));
    const r = await register(mcsB, info(partner, { homeSystem: 'mcx-a', userProfileIndex: 1 }));
    off();
    expect(r.status).toBe(200);
    const reg = mcsB.registrations().find((x) => x.mcpttId === ALICE)!;
    expect([reg.kind, reg.homeSystem, reg.userProfileIndex]).toEqual(['migration', 'mcx-a', 1]);
    expect(decisions.map((d) => d.outcome)).toEqual(['authorized']);
  });

  it('refuses a selected user profile that was not shared for access', async () => {
    const r = await register(mcsB, info(partner, { homeSystem: 'mcx-a', userProfileIndex: 2 }));
    expect([r.status, r.reason]).toEqual([403, 'Forbidden - User Profile Not Authorized For Migration']);
    expect(warning(r)).toContain('not among the profiles shared for access (1)');
  });

  it('refuses when the partner CMS holds no (or a revoked) migration authorization for the user', async () => {
    fx.csc5.rows.set(ALICE, { homeSystemId: 'mcx-a', accessProfiles: [1], profileSelector: null, status: 'revoked' });
    const revoked = await register(mcsB, info(partner, { homeSystem: 'mcx-a', userProfileIndex: 1 }));
    expect([revoked.status, revoked.reason]).toEqual([403, 'Forbidden - Migration Not Authorized']);
    fx.csc5.rows.delete(ALICE);
    const none = await register(mcsB, info(partner, { homeSystem: 'mcx-a', userProfileIndex: 1 }));
    expect(none.status).toBe(403);
    expect(warning(none)).toContain('holds no migration authorization');
  });

  it('refuses a migration request naming another home system than the token', async () => {
    fx.csc5.rows.set(ALICE, { homeSystemId: 'mcx-a', accessProfiles: [1], profileSelector: null, status: 'authorized' });
    const r = await register(mcsB, info(partner, { homeSystem: 'mcx-c', userProfileIndex: 1 }));
    expect([r.status, r.reason]).toEqual([403, 'Forbidden - Home System Mismatch']);
  });

  it('refuses the primary token presented in the partner system, and a migration request with a home token', async () => {
    const primaryAtB = await register(mcsB, info(home.accessToken, { homeSystem: 'mcx-a', userProfileIndex: 1 }));
    expect(primaryAtB.status).toBe(403);
    expect(warning(primaryAtB)).toMatch(/invalid-token: (wrong-issuer|unknown-key)/);
    const homeMigration = await register(mcsA, info(home.accessToken, { homeSystem: 'mcx-a', userProfileIndex: 1 }));
    expect([homeMigration.status, homeMigration.reason]).toEqual([403, 'Forbidden - Migration Not Authorized']);
  });

  it('answers 503 with Retry-After when the CMS cannot be asked (CSC-5 unreachable)', async () => {
    // A second MCS of mcx-b whose CMS is unreachable (a deliberately broken instance).
    const cut = await startMcs({ systemId: 'mcx-b', domain: 'mcx-b.example.net', idmsIssuer: fx.b.issuer, cms: { url: 'http://127.0.0.1:9', adminToken: fx.adminB } });
    try {
      const r = await register(cut, info(partner, { homeSystem: 'mcx-a', userProfileIndex: 1 }));
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('2');
    } finally {
      await cut.close();
    }
  });

  it('refuses a malformed migration request', async () => {
    const doc = mcpttInfoWithAccessToken(partner);
    doc.params.other = ['<mcx:migration xmlns:mcx="urn:mcx-ecosystem:xml:ns:migration:1.0" home-system="mcx-a" user-profile-index="x"/>'];
    const r = await register(mcsB, serializeMcpttInfo(doc));
    expect([r.status, r.reason]).toEqual([403, 'Forbidden - Malformed Migration Request']);
  });
});
