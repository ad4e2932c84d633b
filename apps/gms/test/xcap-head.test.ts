// CSC-2 HEAD over the wire: the answer has the GET answer's header fields, Content-Length
// included, and no content (RFC 9110 clauses 9.3.2 and 8.6; RFC 4825 clause 7.3).
import { throwAwayLabCa } from '@mcx/lab-ca';
import { rawRequest } from '@mcx/xcap/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupSelector } from '../src/index.ts';
import { DOMAIN, mcpttIdOf, startSystem, type System } from './fixture.ts';

let sys: System;
const FIRE = `sip:fire-1@${DOMAIN}`;

beforeAll(async () => {
  sys = await startSystem();
  await sys.gms.seed({
    groups: [
      {
        groupId: 'fire-1',
        displayName: 'Fire brigade 1',
        members: [mcpttIdOf('alice'), mcpttIdOf('bob')],
        priority: 100,
      },
    ],
  });
});
afterAll(async () => {
  await sys?.close();
});

describe('GMS XCAP HEAD', () => {
  it.each([
    ['a group document', () => groupSelector(FIRE), true],
    ['an element of it', () => `${groupSelector(FIRE)}/~~/group/list-service/display-name`, true],
    ['xcap-caps (anonymous)', () => 'xcap-caps/global/index', false],
  ])(
    'HEAD of %s: same status, ETag and Content-Length as GET, no content',
    async (_what, path, withToken) => {
      const url = `${sys.gms.xcapRoot}/${path()}`;
      const headers: Record<string, string> = withToken
        ? { authorization: `Bearer ${await sys.token('alice')}` }
        : {};
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
