// CSC-4 authorization over real HTTP (TS 24.482 annex A; TS 33.180 annex B.5; RFC 6750):
// own / other user / global x read / write x token {valid, expired, wrong audience,
// wrong scope, from the other system's IdMS, none}.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { MC_SCOPES, refreshForResource } from '@mcx/auth';
import { SERVICE_CONFIG_SELECTOR, UE_INIT_CONFIG_MASTER_SELECTOR, userProfileSelector } from '../src/index.ts';
import { ALICE, BOB, bearer, login, startCmsLab, UE_CLIENT, type CmsLab, type Idmss, type TestCms } from './fixtures.ts';

type TokenKind = 'valid' | 'expired' | 'wrong audience' | 'wrong scope' | 'other system IdMS' | 'none';
type Resource = 'own' | 'other user' | 'global';

const EXPECTED: Record<TokenKind, Record<Resource, { read: number; write: number }>> = {
  valid: { own: { read: 200, write: 200 }, 'other user': { read: 403, write: 403 }, global: { read: 200, write: 403 } },
  // RFC 6750 clause 3.1 invalid_token: the UE refreshes its token.
  expired: { own: { read: 401, write: 401 }, 'other user': { read: 401, write: 401 }, global: { read: 401, write: 401 } },
  'wrong audience': { own: { read: 401, write: 401 }, 'other user': { read: 401, write: 401 }, global: { read: 401, write: 401 } },
  'other system IdMS': { own: { read: 401, write: 401 }, 'other user': { read: 401, write: 401 }, global: { read: 401, write: 401 } },
  // RFC 6750 clause 3.1 insufficient_scope.
  'wrong scope': { own: { read: 403, write: 403 }, 'other user': { read: 403, write: 403 }, global: { read: 403, write: 403 } },
  // TS 24.482 annex A.2.3: no bearer token => 403.
  none: { own: { read: 403, write: 403 }, 'other user': { read: 403, write: 403 }, global: { read: 403, write: 403 } },
};

const SELECTORS: Record<Resource, string> = {
  own: userProfileSelector(ALICE, 1),
  'other user': userProfileSelector(BOB, 1),
  global: SERVICE_CONFIG_SELECTOR,
};

let lab: CmsLab;
let idmss: Idmss;
let a: TestCms;
/** A CMS of mcx-a trusting a test issuer (jose keys + JWKS over real HTTP) to mint an expired token. */
let xLab: CmsLab;
let x: TestCms;
let issuerServer: Server;
const tokens: Partial<Record<TokenKind, string>> = {};

beforeAll(async () => {
  lab = await startCmsLab();
  idmss = lab.idmss;
  a = lab.a;
  const alice = await login(idmss.a.issuer, 'alice');
  tokens.valid = alice.accessToken;
  tokens['wrong audience'] = (await refreshForResource({ issuer: idmss.a.issuer, clientId: UE_CLIENT, refreshToken: alice.refreshToken!, resource: lab.audiences['mcx-a'].gms })).accessToken;
  tokens['wrong scope'] = (await login(idmss.a.issuer, 'alice', `openid ${MC_SCOPES.pttService}`)).accessToken;
  tokens['other system IdMS'] = (await login(idmss.b.issuer, 'dave')).accessToken;

  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'ES256', use: 'sig' };
  issuerServer = createServer((req, res) => {
    const issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => issuerServer.listen(0, '127.0.0.1', r));
  const testIssuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  xLab = await startCmsLab({ systems: ['mcx-a'], cms: () => ({ idmsIssuer: testIssuer }) });
  x = xLab.a;
  const now = Math.floor(Date.now() / 1000);
  tokens.expired = await new SignJWT({ scope: MC_SCOPES.pttConfigManagement, mcptt_id: ALICE, client_id: UE_CLIENT })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'test' })
    .setIssuer(testIssuer)
    .setAudience(x.cms.audience)
    .setSubject('alice')
    .setIssuedAt(now - 3600)
    .setExpirationTime(now - 600)
    .sign(privateKey);
});
afterAll(async () => {
  await lab?.close();
  await xLab?.close();
  await new Promise((r) => issuerServer?.close(r));
});

describe('authorization matrix (CSC-4 XCAP over HTTP)', () => {
  const kinds = Object.keys(EXPECTED) as TokenKind[];
  for (const kind of kinds) {
    for (const resource of Object.keys(SELECTORS) as Resource[]) {
      it(`${kind} token, ${resource} document: read ${EXPECTED[kind][resource].read}, write ${EXPECTED[kind][resource].write}`, async () => {
        const cms = kind === 'expired' ? x.cms : a.cms;
        const url = `${cms.xcapRoot}/${SELECTORS[resource]}`;
        const token = kind === 'none' ? undefined : tokens[kind];
        const read = await fetch(url, { headers: bearer(token) });
        expect(read.status).toBe(EXPECTED[kind][resource].read);
        if (read.status === 401 || (read.status === 403 && kind !== 'valid')) expect(read.headers.get('www-authenticate')).toMatch(/^Bearer/);
        const current = cms.store.peek(SELECTORS[resource])!;
        const write = await fetch(url, {
          method: 'PUT',
          headers: { ...bearer(token), 'content-type': current.contentType, 'if-match': `"${current.etag}"` },
          body: current.body,
        });
        expect(write.status).toBe(EXPECTED[kind][resource].write);
        expect(cms.store.peek(SELECTORS[resource])!.etag).toBe(current.etag);
      });
    }
  }

  it('says which token problem it was (RFC 6750 error codes)', async () => {
    const url = `${a.cms.xcapRoot}/${SELECTORS.own}`;
    expect((await fetch(url, { headers: bearer(tokens['wrong scope']) })).headers.get('www-authenticate')).toContain('insufficient_scope');
    expect((await fetch(url, { headers: bearer(tokens['wrong audience']) })).headers.get('www-authenticate')).toContain('invalid_token');
    expect((await fetch(url)).headers.get('www-authenticate')).toBe('Bearer realm="cms"');
  });

  it('serves the UE initial configuration before login (master and per-UE, generated from the master)', async () => {
    const master = await fetch(`${a.cms.xcapRoot}/${UE_INIT_CONFIG_MASTER_SELECTOR}`);
    expect(master.status).toBe(200);
    expect(master.headers.get('content-type')).toBe('application/vnd.3gpp.mcptt-ue-init-config+xml');
    const ueId = 'urn:uuid:0d6f4a3e-2b8c-4b7e-9c1d-5f2a8e7b6c90';
    const perUe = await fetch(`${a.cms.xcapRoot}/org.3gpp.mcptt.ue-init-config/users/sip:${ueId}/${ueId}`);
    expect(perUe.status).toBe(200);
    expect(await perUe.text()).toContain(ueId);
    // ... but nobody writes it over XCAP.
    const w = await fetch(`${a.cms.xcapRoot}/${UE_INIT_CONFIG_MASTER_SELECTOR}`, {
      method: 'PUT',
      headers: { ...bearer(tokens.valid), 'content-type': 'application/vnd.3gpp.mcptt-ue-init-config+xml' },
      body: await master.text(),
    });
    expect(w.status).toBe(403);
  });

  it('refuses creating or deleting documents over XCAP, even for the owner', async () => {
    const url = `${a.cms.xcapRoot}/${userProfileSelector(ALICE, 9)}`;
    const body = a.cms.store.peek(SELECTORS.own)!.body;
    expect((await fetch(url, { method: 'PUT', headers: { ...bearer(tokens.valid), 'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml' }, body })).status).toBe(403);
    expect((await fetch(`${a.cms.xcapRoot}/${SELECTORS.own}`, { method: 'DELETE', headers: bearer(tokens.valid) })).status).toBe(403);
  });
});
