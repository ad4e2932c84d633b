// Test fixture: IdMS and GMS of one or two MC systems, composed by @mcx/mc-system exactly as `mcx up`
// composes them (production audiences, trust both ways) on throw-away databases (SQLite, or
// PostgreSQL with MCX_TEST_DATABASE_URL), and a SIP UE side built on @mcx/sip's subscriber.
import type { Database } from '@mcx/db';
import { loginWithPkce } from '@mcx/auth';
import { mcpttInfoWithAccessToken, resourceListsOf, serializeMcpttInfo, serializeResourceLists } from '@mcx/documents';
import { startIdms, type IdmsHandle } from '@mcx/idms';
import { LAB_SYSTEMS, labEcosystem, startMcSystems, testDatabaseSetting, UE_CLIENT as UE_CLIENT_CONTRACT } from '@mcx/mc-system';
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

export const UE_CLIENT = UE_CLIENT_CONTRACT.clientId;
export const REDIRECT_URI = UE_CLIENT_CONTRACT.redirectUri;
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

export interface SystemSpec {
  systemId: 'mcx-a' | 'mcx-b';
  domain: string;
  users: readonly string[];
}

/** IdMS + GMS of each given system (trusting each other when there are two), accounts for `users`. */
export async function startSystems(specs: SystemSpec[]): Promise<System[]> {
  const ids = new Set<string>(specs.map((x) => x.systemId));
  const systems = await startMcSystems({
    ecosystem: labEcosystem({
      systems: specs.map((spec) => ({
        ...LAB_SYSTEMS.find((x) => x.id === spec.systemId)!,
        domain: spec.domain,
        adminToken: ADMIN_TOKEN,
        trusts: LAB_SYSTEMS.find((x) => x.id === spec.systemId)!.trusts!.filter((t) => ids.has(t)),
      })),
      users: specs.flatMap((spec) => spec.users.map((u) => ({ username: u, password: PASSWORD, home: spec.systemId, profiles: [{ index: 1, name: 'home', preSelected: true }] }))),
      groups: [],
    }),
    servers: { idms: startIdms, gms: startGms },
    database: testDatabaseSetting(),
    throwAwayDatabases: true,
    ephemeralPorts: true,
    scryptCost: 1024,
    overrides: { gms: () => ({ defaultExpires: 600 }) },
  });
  let open = specs.length;
  return systems.systems.map((running) => {
    const tokens = new Map<string, Promise<string>>();
    const system: System = {
      idms: running.idms,
      gms: running.gms,
      gmsDb: running.databases.gms!,
      idmsDb: running.databases.idms!,
      token(user) {
        let t = tokens.get(user);
        if (t === undefined) {
          t = loginWithPkce({ issuer: running.idms.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username: user, password: PASSWORD }).then((r) => r.accessToken);
          tokens.set(user, t);
        }
        return t;
      },
      async close() {
        // A test may have replaced `gms` with a restarted instance: close that one too.
        if (system.gms !== running.gms) await system.gms.close();
        if (--open === 0) await systems.close();
      },
    };
    return system;
  });
}

export async function startSystem(systemId: 'mcx-a' | 'mcx-b' = 'mcx-a', domain = DOMAIN, users: readonly string[] = USERS): Promise<System> {
  const [system] = await startSystems([{ systemId, domain, users }]);
  return system!;
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
      if (n.body) receivedBodies.push(n.body);
    },
    onTerminated: (info) => out.terminated.push(info),
  });
  return out;
}

const receivedBodies: string[] = [];
/**
 * Every non-empty NOTIFY body a `subscribeGroups` subscriber received since the last call, for a
 * suite to validate against the xcap-diff schema (RFC 5874 clause 7) after each test.
 */
export function takeNotifyBodies(): string[] {
  return receivedBodies.splice(0);
}

export async function ueEndpoint(): Promise<SipEndpoint> {
  return SipEndpoint.create({});
}

/** Asserts that an XML document is valid against a schema of @mcx/schemas (path below libs/schemas/xsd). */
export async function expectSchemaValid(xml: string, xsd: string): Promise<void> {
  const r = await validateXml(xml, xsd);
  if (!r.ok) throw new Error(`not valid against ${xsd}:\n${r.errors.join('\n')}\n${xml}`);
}
