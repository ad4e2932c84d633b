/**
 * Test fixtures: an in-memory document set with a per-user collection, a path-based read policy
 * with revocations, an access-token verifier, and a UE that subscribes over real SIP on loopback.
 */
import { TokenError } from '@mcx/auth';
import {
  mcpttInfoWithAccessToken,
  resourceListsOf,
  serializeMcpttInfo,
  serializeResourceLists,
} from '@mcx/documents';
import {
  buildMultipart,
  MCPTT_INFO_CONTENT_TYPE,
  RESOURCE_LISTS_CONTENT_TYPE,
  SipEndpoint,
  subscribe,
  XCAP_DIFF_ACCEPT,
  XCAP_DIFF_EVENT,
  type IncomingNotify,
  type SipResponse,
  type SubscriptionHandle,
} from '@mcx/sip';
import type { XcapUri } from '@mcx/xcap';
import type { XcapDiffAuthorizationPolicy } from '../src/authorization-policy.ts';
import type { DocumentSetChange, DocumentVersion, XcapDocumentSet } from '../src/document-set.ts';

/** Short SIP timers for loopback (RFC 3261 clause 17.1.1.1 allows other values on a LAN). */
export const FAST_TIMERS = { t1: 40, t2: 320, t4: 200 };
export const ALICE = 'sip:alice@example.net';
export const BOB = 'sip:bob@example.net';

export const docOf = (user: string, name: string) => `test-docs/users/${user}/${name}`;
export const GLOBAL_DOC = 'test-docs/global/shared.xml';
export const bodyWith = (value: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<doc xmlns="urn:example:test"><setting>${value}</setting><padding>${'x'.repeat(400)}</padding></doc>\n`;

/** Documents in memory; `collection` holds, per user, the selectors `test-docs/groups/` shows it. */
export class MemoryDocuments implements XcapDocumentSet {
  readonly #docs = new Map<string, DocumentVersion>();
  readonly #listeners = new Set<(c: DocumentSetChange) => void>();
  readonly #collections = new Map<string, Set<string>>();
  #version = 0;

  readonly collection = {
    matches: (path: string) => path === 'test-docs/groups/',
    of: (user: string): Iterable<string> => this.#collections.get(user) ?? [],
  };

  peek(selector: string): DocumentVersion | undefined {
    return this.#docs.get(selector);
  }

  onChange(listener: (c: DocumentSetChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stores a new version (and optionally puts the document in `members`' collections); returns its ETag. */
  put(selector: string, body: string, members: readonly string[] = []): string {
    const previous = this.#docs.get(selector);
    const etag = `etag-${++this.#version}`;
    this.#docs.set(selector, { etag, body });
    for (const m of members) {
      let set = this.#collections.get(m);
      if (set === undefined) this.#collections.set(m, (set = new Set()));
      set.add(selector);
    }
    this.#emit({ selector, ...(previous ? { previous } : {}), users: members });
    return etag;
  }

  delete(selector: string): void {
    const previous = this.#docs.get(selector);
    this.#docs.delete(selector);
    const users = [...this.#collections].filter(([, s]) => s.delete(selector)).map(([u]) => u);
    this.#emit({ selector, ...(previous ? { previous } : {}), users });
  }

  /** Announces a change that alters no version (e.g. a permission change). */
  touch(selector: string): void {
    this.#emit({ selector });
  }

  #emit(c: DocumentSetChange): void {
    for (const l of this.#listeners) l(c);
  }
}

/**
 * A user reads global documents and its own `users/<user>/` tree, unless revoked: by path, existing
 * or not (as the CMS), or only existing ones when `existing` is given (as the GMS).
 */
export class PathPolicy implements XcapDiffAuthorizationPolicy {
  readonly revoked = new Set<string>();
  constructor(private readonly existing?: XcapDocumentSet) {}
  mayRead(user: string, uri: XcapUri): boolean {
    if (this.revoked.has(`${user} ${uri.documentSelector}`)) return false;
    if (this.existing && this.existing.peek(uri.documentSelector) === undefined) return false;
    return uri.document.tree === 'global' || uri.document.xui === user;
  }
}

/** `token-of:<MCPTT ID>` is a valid token; `keys-down` as if the IdMS key set were unreachable. */
export const tokens = {
  async verify(token: string): Promise<{ mcpttId: string | undefined }> {
    if (token === 'keys-down') throw new TokenError('jwks-unavailable', 'IdMS key set unreachable');
    const m = /^token-of:(.*)$/.exec(token);
    if (!m) throw new TokenError('malformed', 'not a JWT');
    return { mcpttId: m[1] || undefined };
  },
};

/**
 * Every non-empty NOTIFY body a test UE received since the last call, for a suite to validate
 * against the xcap-diff schema (RFC 5874 clause 7) after each test.
 */
export function takeNotifyBodies(): string[] {
  return receivedBodies.splice(0);
}
const receivedBodies: string[] = [];

export interface TestUe {
  handle: SubscriptionHandle;
  response: SipResponse;
  notifies: IncomingNotify[];
}

/** One SUBSCRIBE as a UE sends it (TS 24.484 clause 6.3.13.2.2): resource-lists (if `uris`) + mcptt-info (if `token`). */
export async function subscribeUe(
  ue: SipEndpoint,
  notifierUri: string,
  opts: { token?: string; uris?: readonly string[]; eventParams?: Record<string, string> },
): Promise<TestUe> {
  const parts = [
    ...(opts.uris
      ? [
          {
            contentType: RESOURCE_LISTS_CONTENT_TYPE,
            body: serializeResourceLists(resourceListsOf(opts.uris)),
          },
        ]
      : []),
    ...(opts.token
      ? [
          {
            contentType: MCPTT_INFO_CONTENT_TYPE,
            body: serializeMcpttInfo(mcpttInfoWithAccessToken(opts.token)),
          },
        ]
      : []),
  ];
  const mp = buildMultipart(parts);
  const notifies: IncomingNotify[] = [];
  const handle = subscribe({
    endpoint: ue,
    uri: notifierUri,
    from: `<${ALICE}>`,
    event: XCAP_DIFF_EVENT,
    accept: XCAP_DIFF_ACCEPT,
    body: mp.body,
    contentType: mp.contentType,
    expires: 600,
    ...(opts.eventParams ? { eventParams: opts.eventParams } : {}),
    onNotify: (n) => {
      notifies.push(n);
      if (n.body) receivedBodies.push(n.body);
    },
    resubscribe: false,
    // The tests read the notifier's first answer, a 503 + Retry-After included.
    maxOverloadRetries: 0,
  });
  return { handle, response: await handle.ready, notifies };
}

export function sipEndpoint(): Promise<SipEndpoint> {
  return SipEndpoint.create({ timers: FAST_TIMERS });
}

/** Polls until `check` is truthy (the test timeout bounds it; no timing assertion). */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what = 'condition',
): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
