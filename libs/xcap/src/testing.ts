/**
 * Test support (`@mcx/xcap/testing`): one request over raw node:http, for what fetch hides (the
 * header fields of a HEAD answer, whose content is empty: RFC 9110 clause 9.3.2) or refuses to send
 * (any method, e.g. TRACE or PROPFIND; a path kept byte for byte, `..` segments and bad
 * percent-escapes included).
 */
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function rawRequest(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
  /** CA certificate(s) an https server's chain is verified against (the lab CA), besides the public roots. */
  tls: { ca?: string | string[] } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    // The path is taken as written (new URL() would resolve `..` and re-encode it); a connection of
    // its own (agent: false), so that no request meets a kept-alive socket the server is closing.
    const { protocol, hostname, port, origin } = new URL(url);
    const path = url.startsWith(origin) ? url.slice(origin.length) || '/' : new URL(url).pathname;
    const target = { protocol, hostname: hostname.replace(/^\[|\]$/g, ''), port, path };
    const ca = tls.ca === undefined ? undefined : [...rootCertificates, ...[tls.ca].flat()];
    const secure = protocol === 'https:';
    const req = (secure ? httpsRequest : request)({ ...target, method, headers, agent: false, ...(secure && ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
