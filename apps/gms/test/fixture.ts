// Test fixture: a real IdMS (apps/idms) with MC accounts and a GMS on loopback, each on its own
// throw-away database (@mcx/db/testing: SQLite, or PostgreSQL with MCX_TEST_DATABASE_URL), and
// a SIP UE side built on @mcx/sip's subscriber.
import type { Database } from '@mcx/db';
import { openTestDatabase } from '@mcx/db/testing';
import { loginWithPkce } from '@mcx/auth';
import { mcpttInfoWithAccessToken, resourceListsOf, serializeMcpttInfo, serializeResourceLists } from '@mcx/documents';
import { startIdms, upsertAccount, type IdmsHandle } from '@mcx/idms';
import { validateXml } from '@mcx/schemas';
import {
  buildMultipart,
  MCPTT_INFO_CONTENT_TYPE,
  RESOURCE_LISTS_CONTENT_TYPE,
  SipEndpoint,
  subscribe,
  XCAP_DIFF_ACCEPT,
  XCAP_DIFF_EVENT,
  type IncomingNotify,
  type SubscriptionHandle,
  type TerminationInfo,
  type TransportProtocol,
} from '@mcx/sip';
import { startGms, type GmsHandle } from '../src/index.ts';

export const UE_CLIENT = 'mcx-ue';
export const REDIRECT_URI = 'http://127.0.0.1/mcx-ue/callback';
export const PASSWORD = 'correct horse battery staple';
export const ADMIN_TOKEN = 'gms-test-admin-token';
export const DOMAIN = 'mcx-a.example';
export const USERS = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
export const mcpttIdOf = (user: string, domain = DOMAIN) => `sip:${user}@${domain}`;

export interface System {
  idms: IdmsHandle;
  gms: GmsHandle;
  gmsDb: Database;
  idmsDb: Database;
  /** A GMS-audience access token of `user` obtained with code + PKCE at the IdMS (cached). */
  token(user: string): Promise<string>;
  close(): Promise<void>;
}

export async function startSystem(systemId = 'mcx-a', domain = DOMAIN, users: readonly string[] = USERS): Promise<System> {
  const idmsDb = await openTestDatabase();
  const gmsDb = await openTestDatabase();
  const audiences = { cms: `urn:mcx:${systemId}:cms`, gms: `urn:mcx:${systemId}:gms`, mcs: `urn:mcx:${systemId}:mcs` };
  const idms = await startIdms(
    { systemId, audiences, clients: [{ client_id: UE_CLIENT, redirect_uris: [REDIRECT_URI] }], scryptCost: 1024 },
    { db: idmsDb },
  );
  for (const u of users) {
    await upsertAccount(idmsDb, { username: u, password: PASSWORD, mcpttId: mcpttIdOf(u, domain), entitlements: ['mcptt'], scryptCost: 1024 });
  }
  const gms = await startGms(
    { systemId, domain, idmsIssuer: idms.issuer, audience: audiences.gms, adminToken: ADMIN_TOKEN, defaultExpires: 600 },
    { db: gmsDb },
  );
  const tokens = new Map<string, Promise<string>>();
  return {
    idms,
    gms,
    gmsDb,
    idmsDb,
    token(user) {
      let t = tokens.get(user);
      if (t === undefined) {
        t = loginWithPkce({ issuer: idms.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username: user, password: PASSWORD }).then((r) => r.accessToken);
        tokens.set(user, t);
      }
      return t;
    },
    async close() {
      await gms.close();
      await idms.close();
      await gmsDb.close();
      await idmsDb.close();
    },
  };
}

export function adminHeaders(): Record<string, string> {
  return { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
}

/** Admin API call (JSON). */
export async function admin(gms: GmsHandle, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(`${gms.adminUrl}${path}`, { method, headers: adminHeaders(), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

/** Polls until `predicate` holds (the suite has no timing assertions; this only bounds a wait). */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A simulated UE's GMC: SUBSCRIBE (TS 24.481 clause 6.3.13) with resource-lists + mcptt-info. */
export interface GroupSubscriber {
  handle: SubscriptionHandle;
  notifies: IncomingNotify[];
  terminated: TerminationInfo[];
}

export function subscribeGroups(opts: {
  endpoint: SipEndpoint;
  gms: GmsHandle;
  protocol?: TransportProtocol;
  token: string;
  /** Resource-list entries; undefined = no resource-lists part. */
  uris?: readonly string[];
  from: string;
}): GroupSubscriber {
  const parts = [
    ...(opts.uris === undefined ? [] : [{ contentType: RESOURCE_LISTS_CONTENT_TYPE, body: serializeResourceLists(resourceListsOf(opts.uris)) }]),
    { contentType: MCPTT_INFO_CONTENT_TYPE, body: serializeMcpttInfo(mcpttInfoWithAccessToken(opts.token)) },
  ];
  const body = buildMultipart(parts);
  const protocol = opts.protocol ?? 'udp';
  const target = protocol === 'tcp' ? opts.gms.sipTcpUri : opts.gms.sipUri;
  const address = /@([^;]+)/.exec(target)![1]!;
  const [host, port] = address.split(':') as [string, string];
  const out: GroupSubscriber = { notifies: [], terminated: [], handle: undefined as unknown as SubscriptionHandle };
  out.handle = subscribe({
    endpoint: opts.endpoint,
    uri: opts.gms.psi,
    target: { protocol, host, port: Number(port) },
    from: `<${opts.from}>`,
    event: XCAP_DIFF_EVENT,
    accept: XCAP_DIFF_ACCEPT,
    body: body.body,
    contentType: body.contentType,
    expires: 600,
    headers: { 'P-Preferred-Service': 'urn:urn-7:3gpp-service.ims.icsi.mcptt' },
    resubscribe: false,
    onNotify: (n) => {
      out.notifies.push(n);
    },
    onTerminated: (info) => out.terminated.push(info),
  });
  return out;
}

export async function ueEndpoint(): Promise<SipEndpoint> {
  return SipEndpoint.create({});
}

/** Asserts that an XML document is valid against a schema of @mcx/schemas (path below libs/schemas/xsd). */
export async function expectSchemaValid(xml: string, xsd: string): Promise<void> {
  const r = await validateXml(xml, xsd);
  if (!r.ok) throw new Error(`not valid against ${xsd}:\n${r.errors.join('\n')}\n${xml}`);
}
