/**
 * Test support (`@mcx/xcap/testing`): one request over raw node:http, for what fetch hides (the
 * header fields of a HEAD answer, whose content is empty: RFC 9110 clause 9.3.2) or refuses to send
 * (any method, e.g. TRACE or PROPFIND; a path kept byte for byte, `..` segments and bad
 * percent-escapes included).
 */
import { Agent as HttpAgent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Kept-alive connections, one pool per protocol and trusted CA set (TLS handshakes are the cost). */
const agents = new Map<string, HttpAgent | HttpsAgent>();
function agentFor(secure: boolean, ca: string[] | undefined): HttpAgent | HttpsAgent {
  const key = `${secure}:${ca?.join('') ?? ''}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = secure ? new HttpsAgent({ keepAlive: true, ...(ca ? { ca } : {}) }) : new HttpAgent({ keepAlive: true });
    agents.set(key, agent);
  }
  return agent;
}

export function rawRequest(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
  /** CA certificate(s) an https server's chain is verified against (the lab CA), besides the public roots. */
  tls: { ca?: string | string[] } = {},
): Promise<RawAnswer> {
  // The path is taken as written (new URL() would resolve `..` and re-encode it).
  const { protocol, hostname, port, origin } = new URL(url);
  const path = url.startsWith(origin) ? url.slice(origin.length) || '/' : new URL(url).pathname;
  const target = { protocol, hostname: hostname.replace(/^\[|\]$/g, ''), port, path };
  const ca = tls.ca === undefined ? undefined : [...rootCertificates, ...[tls.ca].flat()];
  const secure = protocol === 'https:';
  const once = () =>
    new Promise<RawAnswer>((resolve, reject) => {
      const req = (secure ? httpsRequest : request)({ ...target, method, headers, agent: agentFor(secure, ca) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', (err: NodeJS.ErrnoException) => reject(Object.assign(err, { reusedSocket: req.reusedSocket })));
      req.end(body);
    });
  // A kept-alive socket the server closed just as the request went out: send it again on a new one
  // (what the Node.js documentation of request.reusedSocket advises).
  return once().catch((err: NodeJS.ErrnoException & { reusedSocket?: boolean }) => {
    if (err.reusedSocket && err.code === 'ECONNRESET') return once();
    throw err;
  });
}
