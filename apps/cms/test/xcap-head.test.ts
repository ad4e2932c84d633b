// CSC-4 HEAD over the wire: the answer has the GET answer's header fields, Content-Length
// included, and no content (RFC 9110 clauses 9.3.2 and 8.6; RFC 4825 clause 7.3).
import { throwAwayLabCa } from '@mcx/lab-ca';
import { rawRequest } from '@mcx/xcap/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userProfileSelector } from '../src/index.ts';
import { ALICE, login, startCmsLab, type CmsLab } from './fixtures.ts';

let lab: CmsLab;
let token: string;

beforeAll(async () => {
  lab = await startCmsLab({ systems: ['mcx-a'] });
  token = (await login(lab.idmss.a.issuer, 'alice')).accessToken;
});
afterAll(async () => {
  await lab?.close();
});

describe('CMS XCAP HEAD', () => {
  it.each([
    ['a user profile (whole document, get-with-version path)', () => userProfileSelector(ALICE, 1), true],
    [
      'an element of it (the XCAP engine)',
      () => `${userProfileSelector(ALICE, 1)}/~~/mcptt-user-profile/Name`,
      true,
    ],
    ['xcap-caps (anonymous)', () => 'xcap-caps/global/index', false],
  ])(
    'HEAD of %s: same status, ETag and Content-Length as GET, no content',
    async (_what, path, withToken) => {
      const url = `${lab.a.cms.xcapRoot}/${path()}`;
      const headers: Record<string, string> = withToken ? { authorization: `Bearer ${token}` } : {};
      // The composition serves https with this process's throw-away lab CA (libs/lab-ca).
      const tls = { ca: (await throwAwayLabCa()).caPem };
      const get = await rawRequest('GET', url, headers, undefined, tls);
      const head = await rawRequest('HEAD', url, headers, undefined, tls);
      expect(get.status).toBe(200);
      expect(head.status).toBe(200);
      expect(get.body.length).toBeGreaterThan(0);
      expect(Number(get.headers['content-length'])).toBe(get.body.length);
      expect(Number(head.headers['content-length'])).toBe(get.body.length);
      expect(head.headers['etag']).toBe(get.headers['etag']);
      expect(head.body.length).toBe(0);
    },
  );
});
