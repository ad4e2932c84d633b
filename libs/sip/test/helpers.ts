/** Shared fixtures of the integration tests: endpoints with short timers, a lossy transport, waiting. */
import {
  SipEndpoint, SipRefusal, UdpTransport, buildMultipart, findPart, MCPTT_INFO_CONTENT_TYPE, RESOURCE_LISTS_CONTENT_TYPE,
  XCAP_DIFF_CONTENT_TYPE, XCAP_DIFF_EVENT, type AuthorizeResult, type EndpointOptions, type SubscribeRequest, type ReceivedFrame, type Target, type Transport,
} from '../src/index.ts';

/** Short T1/T2/T4 so retransmission tests run fast (RFC 3261 clause 17.1.1.1 allows other values on a LAN). */
export const FAST_TIMERS = { t1: 40, t2: 320, t4: 200 };

export function endpoint(options: EndpointOptions = {}): Promise<SipEndpoint> {
  return SipEndpoint.create({ timers: FAST_TIMERS, ...options });
}

/** Polls `check` until it returns a truthy value (no timing assertion: the test timeout bounds it). */
export async function waitFor<T>(check: () => T | undefined | false, what = 'condition'): Promise<T> {
  for (let i = 0; i < 2000; i++) {
    const v = check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A UDP transport that loses chosen datagrams in either direction. */
export class LossyUdpTransport implements Transport {
  readonly protocol = 'udp' as const;
  readonly reliable = false;
  /** Return true to lose an outgoing datagram. */
  dropOutgoing: (text: string) => boolean = () => false;
  /** Return true to lose an incoming datagram. */
  dropIncoming: (text: string) => boolean = () => false;
  readonly dropped: string[] = [];
  sent: string[] = [];

  private constructor(private readonly inner: UdpTransport) {}

  static async listen(): Promise<LossyUdpTransport> {
    return new LossyUdpTransport(await UdpTransport.listen());
  }

  get local() {
    return this.inner.local;
  }

  send(data: Buffer, target: Target): Promise<void> {
    const text = data.toString('utf8');
    if (this.dropOutgoing(text)) {
      this.dropped.push(text);
      return Promise.resolve();
    }
    this.sent.push(text);
    return this.inner.send(data, target);
  }

  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.inner.onFrame((frame) => {
      const text = frame.data.toString('utf8');
      if (this.dropIncoming(text)) {
        this.dropped.push(text);
        return;
      }
      handler(frame);
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Loses the first message for which `match` holds, once. */
export function dropOnce(match: (text: string) => boolean): (text: string) => boolean {
  let done = false;
  return (text) => {
    if (!done && match(text)) {
      done = true;
      return true;
    }
    return false;
  };
}

export const RESOURCE_LIST = `<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list>
  <entry uri="org.3gpp.mcptt.user-profile/users/sip:alice@example.net/mcptt-user-profile-1.xml"/>
  <entry uri="org.3gpp.mcptt.service-config/global/service-config.xml"/>
</list></resource-lists>`;

export function mcpttInfo(token: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><mcptt-Params>
  <mcptt-access-token type="Normal"><mcpttString>${token}</mcpttString></mcptt-access-token>
</mcptt-Params></mcpttinfo>`;
}

/** The TS 24.484 clause 6.3.13.2.2 SUBSCRIBE body. */
export function subscribeBody(token: string): { body: string; contentType: string } {
  return buildMultipart([
    { contentType: RESOURCE_LISTS_CONTENT_TYPE, body: RESOURCE_LIST },
    { contentType: MCPTT_INFO_CONTENT_TYPE, body: mcpttInfo(token) },
  ]);
}

/** Token and XCAP URIs out of a SUBSCRIBE's parts, as a CMS would read them (regexes suffice here). */
export function readSubscribeParts(parts: Parameters<typeof findPart>[0]): { token?: string; uris: string[] } {
  const info = findPart(parts, MCPTT_INFO_CONTENT_TYPE)?.body ?? '';
  const lists = findPart(parts, RESOURCE_LISTS_CONTENT_TYPE)?.body ?? '';
  const token = /<mcpttString>([^<]*)<\/mcpttString>/.exec(info)?.[1];
  const uris = [...lists.matchAll(/uri="([^"]+)"/g)].map((m) => m[1]!);
  return token !== undefined ? { token, uris } : { uris };
}

export function xcapDiff(version: number, uris: readonly string[]): string {
  const docs = uris.map((u) => `  <document sel="${u}" new-etag="v${version}"/>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<xcap-diff xmlns="urn:ietf:params:xml:ns:xcap-diff" xcap-root="http://127.0.0.1/xcap-root">\n${docs}\n</xcap-diff>\n`;
}

/**
 * The notifier options every xcap-diff test uses: "good-token" in mcptt-info authorizes alice for
 * the listed URIs (anything else: 403), and the initial NOTIFY lists them at version 0.
 */
export function xcapDiffNotifierOptions(endpoint: SipEndpoint) {
  return {
    endpoint,
    event: XCAP_DIFF_EVENT,
    contentType: XCAP_DIFF_CONTENT_TYPE,
    authorize: (req: SubscribeRequest): AuthorizeResult<{ uris: string[] }> => {
      const { token, uris } = readSubscribeParts(req.parts);
      if (token !== 'good-token') return { ok: false, refusal: new SipRefusal(403, 'Invalid Access Token') };
      return { ok: true, subscriber: 'sip:alice@example.net', state: { uris } };
    },
    initialBody: (sub: { state: { uris: string[] } }) => xcapDiff(0, sub.state.uris),
  };
}
