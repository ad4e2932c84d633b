/** A rendered request is byte for byte the message serializeMessage writes for the same request. */
import { expect, it } from 'vitest';
import { createRequest } from './message.ts';
import { parseMessage } from './parse.ts';
import { renderedSize, renderRequest, type RenderedRequest } from './rendered.ts';
import { serializeMessage } from './serialize.ts';

const via = 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKabc;rport';
const lines = (h: Record<string, string>) => Object.entries(h).map(([k, v]) => `${k}: ${v}\r\n`).join('');

it.each([
  ['no body', ''],
  ['an ASCII body', '<d/>'],
  ['a UTF-8 body (Content-Length counts bytes, RFC 3261 clause 20.14)', '<d n="Zoë ☎"/>'],
])('renders like serializeMessage with %s', (_name, body) => {
  const headers = {
    From: '"Zoë" <sip:gms@example.net>;tag=a1', To: '<sip:ue@example.net>;tag=b2', 'Call-ID': 'c@h', CSeq: '7 NOTIFY',
    'Max-Forwards': '70', Contact: '<sip:gms@127.0.0.1:5060>', Event: 'xcap-diff', 'Subscription-State': 'active;expires=60',
  };
  const rendered: RenderedRequest = { method: 'NOTIFY', requestLine: 'NOTIFY sip:ue@127.0.0.1:5070 SIP/2.0', headerLines: lines(headers), body: Buffer.from(body) };
  const request = createRequest('NOTIFY', 'sip:ue@127.0.0.1:5070', headers, body);
  expect(renderedSize(rendered)).toBe(serializeMessage(request).length);
  // The Via goes first (RFC 3261 clause 8.1.1.7 "top" Via), right after the request line.
  const withVia = createRequest('NOTIFY', 'sip:ue@127.0.0.1:5070', { Via: via, ...headers }, body);
  const bytes = renderRequest(rendered, via);
  expect(bytes.toString('utf8')).toBe(serializeMessage(withVia).toString('utf8'));
  const headBytes = Buffer.byteLength(rendered.requestLine) + Buffer.byteLength(rendered.headerLines);
  expect(renderRequest({ ...rendered, headBytes }, via).equals(bytes)).toBe(true);
  expect(renderedSize({ ...rendered, headBytes })).toBe(renderedSize(rendered));
  const parsed = parseMessage(bytes);
  expect(parsed.kind).toBe('ok');
  if (parsed.kind === 'ok') expect(parsed.message.body).toBe(body);
});
