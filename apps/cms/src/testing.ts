/**
 * Test support (`@mcx/cms/testing`), for this app's tests and the e2e reliability suite: a UE that
 * subscribes to its documents at a CMS the way TS 24.484 clause 6.3.13.2.2 has it (SUBSCRIBE with
 * a multipart body: resource-lists + mcptt-info with the access token) and collects the NOTIFYs.
 */
import { mcpttInfoWithAccessToken, resourceListsOf, serializeMcpttInfo, serializeResourceLists } from '@mcx/documents';
import {
  buildMultipart,
  listenUdpAndTcp,
  MCPTT_INFO_CONTENT_TYPE,
  RESOURCE_LISTS_CONTENT_TYPE,
  SipEndpoint,
  subscribe,
  XCAP_DIFF_ACCEPT,
  XCAP_DIFF_EVENT,
  type IncomingNotify,
  type SubscriptionHandle,
  type TransactionTimers,
} from '@mcx/sip';

/** Short SIP timers for tests: a lost message is retransmitted, and given up on, quickly. */
export const TEST_SIP_TIMERS: TransactionTimers = { t1: 40, t2: 320, t4: 200 };

/** Where a CMS's subscription proxy listens (a CmsHandle has both). */
export interface CmsSipAddress {
  sipUri: string;
  sipTcpUri: string;
}

/** A SIP UE: endpoint + collected NOTIFYs. */
export interface TestUe {
  endpoint: SipEndpoint;
  notifies: IncomingNotify[];
  subscription: SubscriptionHandle;
  close(): Promise<void>;
}

/** SUBSCRIBE (TS 24.484 clause 6.3.13.2.2): multipart resource-lists + mcptt-info with the token. */
export async function subscribeUe(
  cms: CmsSipAddress,
  token: string | undefined,
  uris: string[],
  transport: 'udp' | 'tcp' = 'udp',
  timers: TransactionTimers = TEST_SIP_TIMERS,
): Promise<TestUe & { status: number }> {
  // A UE subscribing over UDP also listens on TCP at the same port (RFC 3261 clause 18): a NOTIFY
  // larger than UDP allows comes that way (clause 18.1.1).
  const endpoint = await SipEndpoint.create({
    timers,
    ...(transport === 'tcp' ? { udp: false } : { transports: await listenUdpAndTcp('127.0.0.1', 0) }),
  });
  const notifies: IncomingNotify[] = [];
  const parts = [{ contentType: RESOURCE_LISTS_CONTENT_TYPE, body: serializeResourceLists(resourceListsOf(uris)) }];
  if (token) parts.push({ contentType: MCPTT_INFO_CONTENT_TYPE, body: serializeMcpttInfo(mcpttInfoWithAccessToken(token)) });
  const mp = buildMultipart(parts);
  const subscription = subscribe({
    endpoint,
    uri: transport === 'tcp' ? cms.sipTcpUri : cms.sipUri,
    from: `<sip:ue@127.0.0.1>`,
    event: XCAP_DIFF_EVENT,
    accept: XCAP_DIFF_ACCEPT,
    body: mp.body,
    contentType: mp.contentType,
    expires: 600,
    headers: { 'P-Preferred-Service': 'urn:urn-7:3gpp-service.ims.icsi.mcptt' },
    onNotify: (n) => {
      notifies.push(n);
    },
    resubscribe: false,
  });
  const response = await subscription.ready;
  return {
    endpoint,
    notifies,
    subscription,
    status: response.status,
    async close() {
      await endpoint.close();
    },
  };
}

/**
 * `count` extension elements of 1 KB each in a foreign namespace, which the user-profile schema
 * admits (xs:any namespace="##other"), each well under the CMS's attribute/text limits: 80 of
 * them make a change larger than a UDP datagram can carry.
 */
export function extensionNotes(count: number, namespace = 'urn:example:large-change'): string {
  return Array.from({ length: count }, (_, i) => `<n:note xmlns:n="${namespace}" i="${i}">${'x'.repeat(1024)}</n:note>`).join('');
}

/** Polls until `check` is truthy (bounded by the test timeout; no timing assertion). */
export async function waitFor<T>(check: () => T | undefined | false, what = 'condition'): Promise<T> {
  for (let i = 0; i < 4000; i++) {
    const v = check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
