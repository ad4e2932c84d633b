/**
 * Benchmark: CPU per parse of the messages a migration's SIP traffic is made of, warm, in this
 * process: a SUBSCRIBE with an mcptt-info body (parseMessage, as a server reads a request) and its
 * 200 OK (parseResponse, as the client transaction layer reads a response; and parseMessage).
 * Prints one JSON object: microseconds of process CPU (user + system) per parse.
 *
 * Options (each also read from the environment variable named after it):
 *   --iterations N   (BENCH_ITERATIONS, 200000): parses of each message after 20,000 of warm-up
 * Run: npm run bench:parse -w @mcx/sip [-- --iterations 50000]
 */
import { parseArgs } from 'node:util';
import { parseMessage, parseResponse } from '../src/index.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: process.env.BENCH_ITERATIONS ?? '200000' } } });
const N = Number(values.iterations);
if (!Number.isInteger(N) || N <= 0) {
  console.error(`parse.ts: --iterations takes a positive integer, not "${values.iterations}"`);
  process.exit(2);
}

// An access token of the size the IdMS issues (RS256: about 1 KB).
const token = `eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImY1Zjg4OWZiIn0.${'x'.repeat(600)}.${'y'.repeat(342)}`;
const info = `<?xml version="1.0" encoding="UTF-8"?>\n<mcpttinfo xmlns="urn:3gpp:ns:mcpttInfo:1.0"><mcptt-Params><mcptt-access-token type="Normal"><mcpttString>${token}</mcpttString></mcptt-access-token><mcptt-client-id type="Normal"><mcpttURI>sip:ue-1@127.0.0.1:41402</mcpttURI></mcptt-client-id></mcptt-Params></mcpttinfo>`;
const subscribe = Buffer.from(
  [
    'SUBSCRIBE sip:cms@mcx-b.example.net SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:41402;branch=z9hG4bK-524287-1---7c2a8f0d1e3b4a59;rport',
    'Max-Forwards: 70',
    'From: <sip:bench-0001@mcx-a.example.net>;tag=8d5f3c2a1b',
    'To: <sip:cms@mcx-b.example.net>',
    'Call-ID: 3f2a9c1e-7b4d-4e8a-9f10-2c3d4e5f6a7b',
    'CSeq: 1 SUBSCRIBE',
    'Contact: <sip:ue-0001@127.0.0.1:41402;transport=udp>',
    'Event: xcap-diff;diff-processing=aggregate',
    'Accept: application/xcap-diff+xml',
    'Expires: 3600',
    'P-Preferred-Service: urn:urn-7:3gpp-service.ims.icsi.mcptt',
    'Content-Type: application/vnd.3gpp.mcptt-info+xml',
    `Content-Length: ${Buffer.byteLength(info)}`,
    '',
    info,
  ].join('\r\n'),
);
const ok = Buffer.from(
  [
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 127.0.0.1:41402;branch=z9hG4bK-524287-1---7c2a8f0d1e3b4a59;rport=41402;received=127.0.0.1',
    'From: <sip:bench-0001@mcx-a.example.net>;tag=8d5f3c2a1b',
    'To: <sip:cms@mcx-b.example.net>;tag=a1b2c3',
    'Call-ID: 3f2a9c1e-7b4d-4e8a-9f10-2c3d4e5f6a7b',
    'CSeq: 1 SUBSCRIBE',
    'Contact: <sip:cms@127.0.0.1:20162>',
    'Expires: 3600',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'),
);

const cases: [string, () => { kind: string }][] = [
  ['parse_message_subscribe_us', () => parseMessage(subscribe)],
  ['parse_response_200_us', () => parseResponse(ok)],
  ['parse_message_200_us', () => parseMessage(ok)],
];
const report: Record<string, number | string> = { bench: 'sip-parse', node: process.version, iterations: N };
for (const [name, parse] of cases) {
  if (parse().kind !== 'ok') throw new Error(`${name}: the message does not parse`);
  for (let i = 0; i < 20_000; i++) parse();
  const before = process.cpuUsage();
  for (let i = 0; i < N; i++) parse();
  const cpu = process.cpuUsage(before);
  report[name] = Math.round(((cpu.user + cpu.system) / N) * 100) / 100;
}
console.log(JSON.stringify(report));
