/**
 * SIP bad inputs (RFC 3261, RFC 6665, TS 24.484) over UDP and TCP at the CMS subscription proxy
 * and GMS notifier (SUBSCRIBE, xcap-diff) and the MCS (REGISTER, service authorization) of both
 * systems: mutations x targets, each mutation one way of getting a well-formed request wrong. The
 * well-formed request itself is sent first, as the control, and must be accepted (then removed).
 *
 * Refused spec-shaped: a final 4xx/6xx response (RFC 3261 clause 8.2). A request too broken to
 * answer (no Via, no start line a server can read) may be dropped instead (RFC 3261 clause 18.3
 * and 16.3: a server cannot route a response without Via / Call-ID). Changed state: the number
 * of subscriptions (CMS: live and stored) or registrations of the server.
 */
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { userProfileSelector } from '@mcx/cms';
import { mcpttInfoWithAccessToken, resourceListsOf, serializeMcpttInfo, serializeResourceLists } from '@mcx/documents';
import { buildMultipart, MCPTT_INFO_CONTENT_TYPE, RESOURCE_LISTS_CONTENT_TYPE, XCAP_DIFF_ACCEPT, XCAP_DIFF_EVENT } from '@mcx/sip';
import type { ReliabilityLab, System } from './ecosystem.ts';
import type { Tally, Verdict } from './report.ts';

export const SIP_SURFACE = 'sip';

/**
 * How long to wait for an answer: a request that can be answered gets the time a loaded machine
 * needs (its answer ends the wait); one that may be dropped is given up on sooner.
 */
const ANSWER_WAIT_MS = 15_000;
const DROP_WAIT_MS = 600;
type Transport = 'udp' | 'tcp';

/** A SIP request as parts, so that a mutation can break any of them. */
interface SipRequest {
  startLine: string;
  headers: [string, string][];
  body: string;
  /** Content-Length as sent; default the body's length. */
  contentLength?: string;
}

interface Mutation {
  name: string;
  /** The request cannot be answered (RFC 3261 clause 18.3): dropping it is a refusal too. */
  mayDrop?: boolean;
  apply(r: SipRequest): SipRequest;
}

interface SipTarget {
  name: string;
  /** Where the server listens, per transport. */
  at: Record<Transport, { host: string; port: number }>;
  method: 'SUBSCRIBE' | 'REGISTER';
  /** The well-formed request (fresh tags and Call-ID on each call). */
  request(local: { transport: Transport; port: number }): SipRequest;
  /** What a bad input could change: subscription or registration counts. */
  state(): Promise<string>;
}

const id = () => randomBytes(8).toString('hex');

const setHeader = (r: SipRequest, name: string, value: string): SipRequest => ({
  ...r,
  headers: [...r.headers.filter(([n]) => n.toLowerCase() !== name.toLowerCase()), [name, value]],
});
const dropHeader = (r: SipRequest, name: string): SipRequest => ({ ...r, headers: r.headers.filter(([n]) => n.toLowerCase() !== name.toLowerCase()) });
const headerOf = (r: SipRequest, name: string) => r.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1] ?? '';

function encode(r: SipRequest): Buffer {
  const body = Buffer.from(r.body, 'utf8');
  const lines = [r.startLine, ...r.headers.map(([n, v]) => (v === '\u0000raw' ? n : `${n}: ${v}`)), `Content-Length: ${r.contentLength ?? body.byteLength}`, '', ''];
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'utf8'), body]);
}

/** Host and port of a transport URI `sip:x@host:port[;transport=tcp]`. */
function addressOf(uri: string): { host: string; port: number } {
  const m = /@([^:;>]+):(\d+)/.exec(uri);
  if (!m) throw new Error(`no host:port in ${uri}`);
  return { host: m[1]!, port: Number(m[2]) };
}

function targets(lab: ReliabilityLab): SipTarget[] {
  const out: SipTarget[] = [];
  const users = [
    { system: lab.a, user: 'sip:alice@mcx-a.example.net', tokens: lab.alice },
    { system: lab.b, user: 'sip:dave@mcx-b.example.net', tokens: lab.dave },
  ];
  for (const { system, user, tokens } of users) {
    const sys = system.config.id === 'mcx-a' ? 'a' : 'b';
    const subscribeTo = (name: string, psi: string, server: { sipUri: string; sipTcpUri: string }, token: string, resource: string, state: () => Promise<string>): void => {
      out.push({
        name,
        at: { udp: addressOf(server.sipUri), tcp: addressOf(server.sipTcpUri) },
        method: 'SUBSCRIBE',
        request: (local) => {
          const mp = buildMultipart([
            { contentType: RESOURCE_LISTS_CONTENT_TYPE, body: serializeResourceLists(resourceListsOf([resource])) },
            { contentType: MCPTT_INFO_CONTENT_TYPE, body: serializeMcpttInfo(mcpttInfoWithAccessToken(token)) },
          ]);
          return {
            startLine: `SUBSCRIBE ${psi} SIP/2.0`,
            headers: [
              ['Via', `SIP/2.0/${local.transport.toUpperCase()} 127.0.0.1:${local.port};branch=z9hG4bK${id()};rport`],
              ['Max-Forwards', '70'],
              ['From', `<${user}>;tag=${id()}`],
              ['To', `<${psi}>`],
              ['Call-ID', `${id()}@127.0.0.1`],
              ['CSeq', '1 SUBSCRIBE'],
              ['Contact', `<sip:reliability@127.0.0.1:${local.port}${local.transport === 'tcp' ? ';transport=tcp' : ''}>`],
              ['Event', XCAP_DIFF_EVENT],
              ['Accept', XCAP_DIFF_ACCEPT],
              ['Expires', '600'],
              ['P-Preferred-Service', 'urn:urn-7:3gpp-service.ims.icsi.mcptt'],
              ['Content-Type', mp.contentType],
            ],
            body: mp.body,
          };
        },
        state,
      });
    };
    const cms = (s: System) => async () => `${s.cms.subscriptionProxy.size} ${await s.cms.db.prisma.subscription.count()}`;
    subscribeTo(`cms-${sys}`, system.cms.psi, system.cms, tokens.cms, userProfileSelector(user, 1), cms(system));
    subscribeTo(`gms-${sys}`, system.gms.psi, system.gms, tokens.gms, 'org.openmobilealliance.groups/global/byGroupID/', async () => String(system.gms.subscriptions().length));
    out.push({
      name: `mcs-${sys}`,
      at: { udp: addressOf(system.mcs.sipUri), tcp: addressOf(system.mcs.sipTcpUri) },
      method: 'REGISTER',
      request: (local) => ({
        startLine: `REGISTER ${system.mcs.psi} SIP/2.0`,
        headers: [
          ['Via', `SIP/2.0/${local.transport.toUpperCase()} 127.0.0.1:${local.port};branch=z9hG4bK${id()};rport`],
          ['Max-Forwards', '70'],
          ['From', `<${user}>;tag=${id()}`],
          ['To', `<${user}>`],
          ['Call-ID', `${id()}@127.0.0.1`],
          ['CSeq', '1 REGISTER'],
          ['Contact', `<sip:reliability@127.0.0.1:${local.port}${local.transport === 'tcp' ? ';transport=tcp' : ''}>`],
          ['Expires', '600'],
          ['P-Preferred-Service', 'urn:urn-7:3gpp-service.ims.icsi.mcptt'],
          ['Content-Type', MCPTT_INFO_CONTENT_TYPE],
        ],
        body: serializeMcpttInfo(mcpttInfoWithAccessToken(tokens.mcs)),
      }),
      state: async () => String(system.mcs.registrations().length),
    });
  }
  return out;
}

/** The token in the request's mcptt-info replaced by `token` (or the mcptt-info removed). */
function withToken(r: SipRequest, token: string | undefined): SipRequest {
  if (token !== undefined) return { ...r, body: r.body.replace(/(<mcptt-access-token[^>]*>\s*<mcpttString>)[^<]*(<\/mcpttString>)/, `$1${token}$2`) };
  if (headerOf(r, 'Content-Type').startsWith('multipart/')) {
    // Keep only the resource-lists part.
    const rl = /<\?xml[\s\S]*?<\/resource-lists>/.exec(r.body)?.[0] ?? '';
    return setHeader({ ...r, body: rl }, 'Content-Type', RESOURCE_LISTS_CONTENT_TYPE);
  }
  return { ...dropHeader(r, 'Content-Type'), body: '' };
}

function mutations(method: SipTarget['method'], transport: Transport, otherToken: string): Mutation[] {
  const common: Mutation[] = [
    { name: 'garbage-start-line', mayDrop: true, apply: (r) => ({ ...r, startLine: 'HELLO WORLD' }) },
    { name: 'sip-version-3', apply: (r) => ({ ...r, startLine: r.startLine.replace('SIP/2.0', 'SIP/3.0') }) },
    { name: 'request-uri-http', apply: (r) => ({ ...r, startLine: r.startLine.replace(/ \S+ SIP/, ' http://127.0.0.1/x SIP') }) },
    { name: 'request-uri-garbage', apply: (r) => ({ ...r, startLine: r.startLine.replace(/ \S+ SIP/, ' <<>> SIP') }) },
    { name: 'unknown-method', apply: (r) => setHeader({ ...r, startLine: r.startLine.replace(method, 'FOOBAR') }, 'CSeq', '1 FOOBAR') },
    { name: 'no-via', mayDrop: true, apply: (r) => dropHeader(r, 'Via') },
    { name: 'via-garbage', mayDrop: true, apply: (r) => setHeader(r, 'Via', 'not a via') },
    { name: 'no-call-id', mayDrop: true, apply: (r) => dropHeader(r, 'Call-ID') },
    { name: 'no-cseq', mayDrop: true, apply: (r) => dropHeader(r, 'CSeq') },
    { name: 'cseq-not-a-number', mayDrop: true, apply: (r) => setHeader(r, 'CSeq', `abc ${method}`) },
    { name: 'cseq-method-mismatch', apply: (r) => setHeader(r, 'CSeq', '1 INVITE') },
    { name: 'no-from', mayDrop: true, apply: (r) => dropHeader(r, 'From') },
    { name: 'no-to', mayDrop: true, apply: (r) => dropHeader(r, 'To') },
    { name: 'from-garbage', apply: (r) => setHeader(r, 'From', '<<<;;;') },
    { name: 'header-without-colon', apply: (r) => ({ ...r, headers: [...r.headers, ['This line has no colon', '\u0000raw']] }) },
    { name: 'content-length-negative', mayDrop: true, apply: (r) => ({ ...r, contentLength: '-5' }) },
    // Over UDP the datagram is shorter than Content-Length (400, clause 18.3); over TCP the server waits for bytes that never come.
    { name: 'content-length-beyond-body', mayDrop: true, apply: (r) => ({ ...r, contentLength: String(Buffer.byteLength(r.body) + 500) }) },
    { name: 'expires-not-a-number', apply: (r) => setHeader(r, 'Expires', 'abc') },
    { name: 'expires-negative', apply: (r) => setHeader(r, 'Expires', '-5') },
    { name: 'no-access-token', apply: (r) => withToken(r, undefined) },
    { name: 'access-token-garbage', apply: (r) => withToken(r, 'not.a.token') },
    { name: 'access-token-other-audience', apply: (r) => withToken(r, otherToken) },
    { name: 'content-type-text-plain', apply: (r) => setHeader(r, 'Content-Type', 'text/plain') },
    { name: 'mcptt-info-not-xml', apply: (r) => ({ ...r, body: r.body.replace(/<mcpttinfo[\s\S]*<\/mcpttinfo>/, '<mcpttinfo><unclosed>') }) },
  ];
  // Over TCP a message may be of any size (RFC 3261 clause 18.3); a server bounds what it reads.
  // (Over UDP a datagram cannot be larger than 64 KB, and one that size is a valid message.)
  const oversized: Mutation = { name: 'oversized-2MB', mayDrop: true, apply: (r) => setHeader(r, 'X-Padding', 'x'.repeat(2 * 1024 * 1024)) };
  if (transport === 'tcp') common.push(oversized);
  if (method === 'REGISTER') return common;
  return [
    ...common,
    { name: 'event-malformed', apply: (r) => setHeader(r, 'Event', 'xcap-diff;;;=;;') },
    { name: 'event-unknown-package', apply: (r) => setHeader(r, 'Event', 'presence') },
    { name: 'no-event', apply: (r) => dropHeader(r, 'Event') },
    { name: 'accept-text-plain', apply: (r) => setHeader(r, 'Accept', 'text/plain') },
    { name: 'no-contact', apply: (r) => dropHeader(r, 'Contact') },
    { name: 'contact-garbage', apply: (r) => setHeader(r, 'Contact', '<<not a uri') },
    { name: 'resource-lists-not-xml', apply: (r) => ({ ...r, body: r.body.replace(/<\?xml[\s\S]*?<\/resource-lists>/, 'not xml at all') }) },
    { name: 'multipart-bad-boundary', apply: (r) => setHeader(r, 'Content-Type', 'multipart/mixed;boundary=no-such-boundary') },
    { name: 'multipart-no-boundary', apply: (r) => setHeader(r, 'Content-Type', 'multipart/mixed') },
  ];
}

interface SipAnswer {
  status?: number;
  toTag?: string;
  error?: string;
}

/** Sends `make(localPort)` from a fresh socket; the first final response, or nothing within `waitMs`. */
async function exchange(transport: Transport, to: { host: string; port: number }, make: (port: number) => Buffer, waitMs: number): Promise<SipAnswer> {
  const parse = (text: string): SipAnswer | undefined => {
    const m = /^SIP\/2\.0 (\d{3})/.exec(text);
    if (!m) return undefined;
    const status = Number(m[1]);
    if (status < 200) return undefined;
    const toTag = /\r\n(?:To|t):[^\r\n]*;tag=([^;\r\n]+)/i.exec(text)?.[1];
    return { status, ...(toTag ? { toTag } : {}) };
  };
  if (transport === 'udp') {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    try {
      return await new Promise<SipAnswer>((resolve) => {
        const timer = setTimeout(() => resolve({}), waitMs);
        socket.on('message', (msg) => {
          const a = parse(msg.toString('utf8'));
          if (a) {
            clearTimeout(timer);
            resolve(a);
          }
        });
        socket.send(make(socket.address().port), to.port, to.host, (err) => {
          if (err) {
            clearTimeout(timer);
            resolve({ error: err.message });
          }
        });
      });
    } finally {
      socket.close();
    }
  }
  const conn = connect(to.port, to.host);
  await new Promise<void>((resolve, reject) => {
    conn.once('connect', resolve);
    conn.once('error', reject);
  });
  try {
    return await new Promise<SipAnswer>((resolve) => {
      let text = '';
      const timer = setTimeout(() => resolve({}), waitMs);
      conn.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        const a = text.includes('\r\n\r\n') ? parse(text) : undefined;
        if (a) {
          clearTimeout(timer);
          resolve(a);
        }
      });
      conn.on('close', () => {
        clearTimeout(timer);
        resolve(parse(text) ?? {});
      });
      conn.on('error', (err) => {
        clearTimeout(timer);
        resolve({ error: err.message });
      });
      conn.write(make(conn.localPort!));
    });
  } finally {
    conn.destroy();
  }
}

/**
 * 505 Version Not Supported and 513 Message Too Large are the answers RFC 3261 (clauses 21.5.7,
 * 21.5.8) gives to those inputs: refusals, not server failures.
 */
const REFUSING_5XX = new Set([505, 513]);

function verdictOf(a: SipAnswer, mayDrop: boolean): Verdict {
  if (a.status === undefined) return mayDrop ? 'refused' : 'not-spec-shaped';
  if (a.status >= 500 && a.status < 600 && !REFUSING_5XX.has(a.status)) return '5xx';
  if (a.status < 300) return 'accepted-invalid';
  return a.status >= 400 ? 'refused' : 'not-spec-shaped';
}

/** The control: the well-formed request is accepted, then withdrawn (Expires: 0 in the same dialog / registration). */
async function control(t: SipTarget, transport: Transport): Promise<void> {
  let sent: SipRequest | undefined;
  const first = await exchange(transport, t.at[transport], (port) => encode((sent = t.request({ transport, port }))), ANSWER_WAIT_MS);
  if (first.status === undefined || first.status >= 300) throw new Error(`${t.name} over ${transport}: the well-formed ${t.method} got ${first.status ?? first.error ?? 'no answer'}`);
  const r = sent!;
  let withdraw = setHeader(setHeader(r, 'Expires', '0'), 'CSeq', `2 ${t.method}`);
  withdraw = setHeader(withdraw, 'Via', headerOf(r, 'Via').replace(/branch=[^;]+/, `branch=z9hG4bK${id()}`));
  if (first.toTag && t.method === 'SUBSCRIBE') withdraw = setHeader(withdraw, 'To', `${headerOf(r, 'To')};tag=${first.toTag}`);
  await exchange(transport, t.at[transport], () => encode(withdraw), ANSWER_WAIT_MS);
}

export async function sipBarrage(lab: ReliabilityLab, tally: Tally): Promise<void> {
  const all = targets(lab);
  const otherToken = lab.dave.cms;
  // Each server on its own (its counts are its own state); the servers in parallel.
  await Promise.all(
    all.map(async (t) => {
      for (const transport of ['udp', 'tcp'] as const) {
        const idle = await t.state();
        await control(t, transport);
        for (let i = 0; i < 200 && (await t.state()) !== idle; i++) await new Promise((r) => setTimeout(r, 20));
        for (const m of mutations(t.method, transport, t.name.endsWith('-b') ? lab.alice.cms : otherToken)) {
          const before = await t.state();
          const answer = await exchange(transport, t.at[transport], (port) => encode(m.apply(t.request({ transport, port }))), m.mayDrop ? DROP_WAIT_MS : ANSWER_WAIT_MS);
          const after = await t.state();
          tally.record({
            surface: SIP_SURFACE,
            input: `${t.name} ${transport} ${t.method} ${m.name}`,
            verdict: verdictOf(answer, m.mayDrop ?? false),
            answer: answer.status !== undefined ? `SIP ${answer.status}` : answer.error ? `error: ${answer.error}` : 'dropped',
            changedState: before !== after,
          });
        }
      }
    }),
  );
}

