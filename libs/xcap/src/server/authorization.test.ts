/** Authorization (RFC 4825 clause 5.7 default policy, or the usage's hook) and xcap-caps (clause 12). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationUsageRegistry } from '../app-usage/registry.ts';
import { startXcapServer, type RunningXcapServer } from '../../test/fixtures/http-server.ts';
import { resourceListsUsage, SAMPLE_LISTS } from '../../test/fixtures/resource-lists-usage.ts';

let srv: RunningXcapServer;
const RL = 'application/resource-lists+xml';

beforeAll(async () => {
  const strict = { ...resourceListsUsage, auid: 'strict-lists' };
  delete (strict as { authorize?: unknown }).authorize;
  srv = await startXcapServer({
    registry: new ApplicationUsageRegistry([resourceListsUsage, strict]),
    // A stand-in for bearer-token validation: the X-User header names the principal.
    authenticate: (req) => {
      const user = req.get('x-user');
      return user === undefined ? undefined : { id: user, roles: user === 'sip:admin@example.com' ? ['admin'] : [] };
    },
  });
});
afterAll(() => srv.close());

const put = (path: string, user?: string) =>
  fetch(`${srv.root}/${path}`, { method: 'PUT', headers: { 'content-type': RL, ...(user ? { 'x-user': user } : {}) }, body: SAMPLE_LISTS });
const get = (path: string, user?: string) => fetch(`${srv.root}/${path}`, { headers: user ? { 'x-user': user } : {} });

describe('default authorization policy (RFC 4825 clause 5.7)', () => {
  const own = 'strict-lists/users/sip:alice@example.com/index';
  it('lets the owner of a users-tree document read and write it, nobody else', async () => {
    expect((await put(own)).status).toBe(403);
    expect((await put(own, 'sip:bob@example.com')).status).toBe(403);
    expect((await put(own, 'sip:alice@example.com')).status).toBe(201);
    expect((await get(own, 'sip:alice@example.com')).status).toBe(200);
    expect((await get(own, 'sip:bob@example.com')).status).toBe(403);
    expect((await get(own, 'sip:admin@example.com')).status).toBe(200);
    expect(srv.events).toHaveLength(1);
  });

  it('lets anyone authenticated read the global tree, only admins write it', async () => {
    const global = 'strict-lists/global/index';
    expect((await put(global, 'sip:alice@example.com')).status).toBe(403);
    expect((await put(global, 'sip:admin@example.com')).status).toBe(201);
    expect((await get(global, 'sip:alice@example.com')).status).toBe(200);
    expect((await get(global)).status).toBe(403);
  });
});

describe('xcap-caps (RFC 4825 clause 12)', () => {
  it('serves the capabilities document read-only, with conditional GET', async () => {
    const r = await get('xcap-caps/global/index');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/xcap-caps+xml');
    const body = await r.text();
    expect(body).toContain('<auid>resource-lists</auid><auid>strict-lists</auid>');
    expect((await fetch(`${srv.root}/xcap-caps/global/index`, { headers: { 'if-none-match': r.headers.get('etag')! } })).status).toBe(304);
    expect((await fetch(`${srv.root}/xcap-caps/global/index`, { method: 'PUT', body: 'x' })).status).toBe(405);
    expect((await get('xcap-caps/global/other')).status).toBe(404);
    expect((await fetch(`${srv.root}/resource-lists/global/index`, { method: 'POST' })).status).toBe(405);
  });
});
