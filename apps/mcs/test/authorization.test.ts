// Service authorization (TS 24.379 clause 7 shape) and migration service authorization (clause 7A
// shape) at real MCSs, with real tokens from two real IdMSs, over real SIP (UDP and TCP).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket, type Socket } from 'node:dgram';
import { mcpttInfoWithAccessToken, migrationAnyExt, serializeMcpttInfo } from '@mcx/documents';
import { buildMultipart, MCPTT_INFO_CONTENT_TYPE, SipEndpoint, type SipResponse } from '@mcx/sip';
import { legBody, startMcs, type Decision, type LegEvent, type McsHandle } from '../src/index.ts';
import { ALICE, startFixture, type Fixture } from './fixture.ts';

let fx: Fixture;
let mcsA: McsHandle;
let mcsB: McsHandle;
let ue: SipEndpoint;
let home: { accessToken: string; refreshToken: string };
let partner: string;

const info = (token: string, migration?: { userProfileIndex: number }) => {
  const doc = mcpttInfoWithAccessToken(token);
  if (migration) doc.params.anyExt = migrationAnyExt({ selectedUserProfileIndex: migration.userProfileIndex });
  return serializeMcpttInfo(doc);
};

function register(mcs: McsHandle, body: string | undefined, options: { expires?: number | string; multipart?: boolean; tcp?: boolean; method?: 'REGISTER' | 'PUBLISH' } = {}): Promise<SipResponse> {
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

  it.each(['abc', '-5', '1e3'])('refuses Expires: %s (not delta-seconds, RFC 3261 clause 20.19) with 400 and registers nothing', async (expires) => {
    const before = mcsA.registrations().length;
    const r = await register(mcsA, info(home.accessToken), { expires, tcp: true });
    expect(r.status).toBe(400);
    expect(mcsA.registrations()).toHaveLength(before);
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

describe('migration service authorization with both MCSs (TS 23.280 clause 10.6.3; TS 24.379 clause 7A shape)', () => {
  /** The ID mcx-b assigns alice (TS 23.280 10.16.5): the partner token's mcptt_id, the key of CMS-B's CSC-5 row. */
  const ALICE_IN_B = 'sip:alice.mcx-a@mcx-b.example.net';
  const migrating = { userProfileIndex: 1 };
  const shareAtA = (status = 'authorized', accessProfiles = [1]) => {
    fx.homeShares.splice(0, fx.homeShares.length, { mcpttId: ALICE, partnerSystemId: 'mcx-b', status, accessProfiles });
  };

  it('MCS-B asks MCS-A (MESSAGE with partner-mcptt-id, primary-mcptt-id, selected-user-profile-index); MCS-A authorizes; MCS-B registers the user', async () => {
    fx.csc5.rows.set(ALICE_IN_B, { homeSystemId: 'mcx-a', accessProfiles: [1], profileSelector: 'pre-selected', status: 'authorized' });
    shareAtA();
    const decisions: Decision[] = [];
    const legB: LegEvent[] = [];
    const legA: LegEvent[] = [];
    const offs = [mcsB.onDecision((d) => decisions.push(d)), mcsB.onLegMessage((e) => legB.push(e)), mcsA.onLegMessage((e) => legA.push(e))];
    const r = await register(mcsB, info(partner, migrating));
    for (const off of offs) off();
    expect(r.status).toBe(200);
    const reg = mcsB.registrations().find((x) => x.mcpttId === ALICE_IN_B)!;
    expect([reg.kind, reg.homeSystem, reg.primaryMcpttId, reg.userProfileIndex]).toEqual(['migration', 'mcx-a', ALICE, 1]);
    expect(decisions.map((d) => d.outcome)).toEqual(['authorized']);
    expect(legB.map((e) => [e.direction, e.peer, e.summary.split(' ').slice(0, 2).join(' ')])).toEqual([
      ['out', 'mcx-a', 'MESSAGE migration'],
      ['in', 'mcx-a', 'MESSAGE migration-auth-result'],
    ]);
    expect(legB[0]!.body).toMatch(/<anyExt>\s*<partner-mcptt-id type="Normal">\s*<mcpttURI>sip:alice\.mcx-a@mcx-b\.example\.net<\/mcpttURI>\s*<\/partner-mcptt-id>\s*<primary-mcptt-id type="Normal">\s*<mcpttURI>sip:alice@mcx-a\.example\.net<\/mcpttURI>/);
    expect(legB[0]!.body).toMatch(/<selected-user-profile-index>\s*<user-profile-index>1<\/user-profile-index>/);
    expect(legB[1]!.body).toContain('<migration-auth-result>true</migration-auth-result>');
    expect(legA.map((e) => e.direction)).toEqual(['in', 'out']);
  });

  it("MCS-A refuses a profile it did not allow for access: the UE gets MCS-A's cause and MCS-A named in the Warning", async () => {
    shareAtA('authorized', [1]);
    const r = await register(mcsB, info(partner, { userProfileIndex: 2 }));
    expect([r.status, r.reason]).toEqual([403, 'Forbidden - User Profile Not Authorized For Migration']);
    expect(warning(r)).toMatch(/^399 mcptt-server\.mcx-a\.example\.net "profile-not-authorized: user profile 2 may not be used to access mcx-b \(allowed: 1\)"$/);
  });

  it('MCS-A refuses a user its CMS never shared with mcx-b, or whose share is revoked', async () => {
    fx.homeShares.splice(0);
    const none = await register(mcsB, info(partner, migrating));
    expect([none.status, none.reason]).toEqual([403, 'Forbidden - Migration Not Authorized']);
    expect(warning(none)).toContain('mcptt-server.mcx-a.example.net "migration-not-authorized: mcx-a has not authorized sip:alice@mcx-a.example.net to migrate to mcx-b');
    shareAtA('revoked');
    const revoked = await register(mcsB, info(partner, migrating));
    expect(warning(revoked)).toContain('is revoked');
    shareAtA();
  });

  it('refuses (MCS-B) when the partner CMS holds no (or a revoked) migration authorization, without asking MCS-A', async () => {
    fx.csc5.rows.set(ALICE_IN_B, { homeSystemId: 'mcx-a', accessProfiles: [1], profileSelector: null, status: 'revoked' });
    const legB: LegEvent[] = [];
    const off = mcsB.onLegMessage((e) => legB.push(e));
    const revoked = await register(mcsB, info(partner, migrating));
    expect([revoked.status, revoked.reason]).toEqual([403, 'Forbidden - Migration Not Authorized']);
    expect(warning(revoked)).toMatch(/^399 mcptt-server\.mcx-b\.example\.net /);
    fx.csc5.rows.delete(ALICE_IN_B);
    const none = await register(mcsB, info(partner, migrating));
    off();
    expect(none.status).toBe(403);
    expect(warning(none)).toContain('holds no migration authorization');
    expect(legB).toEqual([]);
    fx.csc5.rows.set(ALICE_IN_B, { homeSystemId: 'mcx-a', accessProfiles: [1], profileSelector: null, status: 'authorized' });
  });

  it('refuses the primary token presented in the partner system, and a migration request with a home token', async () => {
    const primaryAtB = await register(mcsB, info(home.accessToken, migrating));
    expect(primaryAtB.status).toBe(403);
    expect(warning(primaryAtB)).toMatch(/invalid-token: (wrong-issuer|unknown-key)/);
    const homeMigration = await register(mcsA, info(home.accessToken, migrating));
    expect([homeMigration.status, homeMigration.reason]).toEqual([403, 'Forbidden - Migration Not Authorized']);
  });

  it('MCS-A answers a leg request from an MCS that is not a partner with 403, and a malformed one with 400', async () => {
    const body = legBody({ partnerMcpttId: ALICE, primaryMcpttId: ALICE, userProfileIndex: 1 });
    const stranger = await ue.request({ method: 'MESSAGE', uri: mcsA.psi, from: '<sip:mcptt-server@mcx-z.example.net>', target: { protocol: 'udp', host: '127.0.0.1', port: mcsA.port }, body, contentType: MCPTT_INFO_CONTENT_TYPE });
    expect([stranger.status, stranger.reason]).toEqual([403, 'Forbidden - Unknown Partner MC System']);
    const malformed = await ue.request({ method: 'MESSAGE', uri: mcsA.psi, from: `<${mcsB.psi}>`, target: { protocol: 'udp', host: '127.0.0.1', port: mcsA.port }, body: serializeMcpttInfo(mcpttInfoWithAccessToken('x')), contentType: MCPTT_INFO_CONTENT_TYPE });
    expect(malformed.status).toBe(400);
  });

  it('on the wire: the MESSAGE MCS-B sends (a raw UDP socket plays MCS-A), and the refusal it sends back reaching the UE', async () => {
    const sock: Socket = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const port = sock.address().port;
    const b2 = await startMcs({
      systemId: 'mcx-b', domain: 'mcx-b.example.net', idmsIssuer: fx.b.issuer, audience: mcsB.config.audience!,
      cms: { url: fx.csc5.url, adminToken: fx.adminB },
      peers: [{ systemId: 'mcx-a', psi: mcsA.psi, sipUri: `sip:mcptt@127.0.0.1:${port};transport=udp` }],
    });
    const seen: string[] = [];
    sock.on('message', (buf, rinfo) => {
      const text = buf.toString('utf8');
      seen.push(text);
      if (!text.startsWith('MESSAGE ')) return;
      const h = (name: string) => new RegExp(`^${name}:.*$`, 'mi').exec(text)![0];
      sock.send(['SIP/2.0 200 OK', h('Via'), h('From'), `${h('To')};tag=raw1`, h('Call-ID'), h('CSeq'), 'Content-Length: 0', '', ''].join('\r\n'), rinfo.port, rinfo.address);
      const result = legBody({ partnerMcpttId: ALICE_IN_B, primaryMcpttId: ALICE, userProfileIndex: 1 }, false);
      sock.send(
        [
          `MESSAGE ${b2.psi} SIP/2.0`, `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKraw${Date.now()}`, `From: <${mcsA.psi}>;tag=raw2`, `To: <${b2.psi}>`,
          'Call-ID: raw-result@127.0.0.1', 'CSeq: 1 MESSAGE', 'Max-Forwards: 70', 'Reason: SIP;cause=403;text="migration-not-authorized: carol is on leave"',
          `Content-Type: ${MCPTT_INFO_CONTENT_TYPE}`, `Content-Length: ${Buffer.byteLength(result)}`, '', result,
        ].join('\r\n'),
        rinfo.port,
        rinfo.address,
      );
    });
    try {
      const r = await register(b2, info(partner, migrating));
      const message = seen.find((t) => t.startsWith('MESSAGE '))!;
      expect(message.split('\r\n')[0]).toBe(`MESSAGE ${mcsA.psi} SIP/2.0`);
      expect(message).toMatch(new RegExp(`^From: <${b2.psi}>;tag=`, 'm'));
      expect(message).toMatch(/^Content-Type: application\/vnd\.3gpp\.mcptt-info\+xml$/m);
      expect(message).toMatch(/<partner-mcptt-id type="Normal">\s*<mcpttURI>sip:alice\.mcx-a@mcx-b\.example\.net<\/mcpttURI>/);
      expect(message).toMatch(/<primary-mcptt-id type="Normal">\s*<mcpttURI>sip:alice@mcx-a\.example\.net<\/mcpttURI>/);
      expect(message).not.toContain('migration-auth-result');
      expect(message).not.toContain('eyJ');
      // The raw MCS-A's result MESSAGE was answered 200 by MCS-B, and its reason reached the UE.
      expect(seen.some((t) => t.startsWith('SIP/2.0 200 OK') && t.includes('raw-result@127.0.0.1'))).toBe(true);
      expect([r.status, r.reason]).toEqual([403, 'Forbidden - Migration Not Authorized']);
      expect(warning(r)).toBe('399 mcptt-server.mcx-a.example.net "migration-not-authorized: carol is on leave"');
    } finally {
      await b2.close();
      sock.close();
    }
  });

  it('answers 503 with Retry-After when the CMS cannot be asked (CSC-5 unreachable), or MCS-A does not answer', async () => {
    // A second MCS of mcx-b whose CMS is unreachable (a deliberately broken instance).
    const cut = await startMcs({ systemId: 'mcx-b', domain: 'mcx-b.example.net', idmsIssuer: fx.b.issuer, cms: { url: 'http://127.0.0.1:9', adminToken: fx.adminB } });
    // And one whose primary MCS is a UDP port nobody reads (short SIP timers: the MESSAGE times out).
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const deaf = await startMcs({
      systemId: 'mcx-b', domain: 'mcx-b.example.net', idmsIssuer: fx.b.issuer, audience: mcsB.config.audience!, sipTimers: { t1: 20, t2: 80, t4: 100 }, peerTimeout: 0.5,
      cms: { url: fx.csc5.url, adminToken: fx.adminB },
      peers: [{ systemId: 'mcx-a', psi: mcsA.psi, sipUri: `sip:mcptt@127.0.0.1:${silent.address().port};transport=udp` }],
    });
    try {
      const r = await register(cut, info(partner, migrating));
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('2');
      const d = await register(deaf, info(partner, migrating));
      expect(d.status).toBe(503);
      expect(warning(d)).toMatch(/^399 mcptt-server\.mcx-b\.example\.net "unavailable: /);
    } finally {
      await cut.close();
      await deaf.close();
      silent.close();
    }
  });

  it('refuses a malformed selected-user-profile-index', async () => {
    const r = await register(mcsB, info(partner, migrating).replace('<user-profile-index>1<', '<user-profile-index>x<'));
    expect([r.status, r.reason]).toEqual([403, 'Forbidden - Malformed Migration Request']);
  });
});
