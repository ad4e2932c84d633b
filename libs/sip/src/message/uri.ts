/**
 * SIP and SIPS URIs (RFC 3261 clause 19.1.1), with IPv6 references (RFC 3261 clause 25.1).
 */
import { formatParams, parseParams, type Params } from './params.ts';

export interface SipUri {
  scheme: 'sip' | 'sips';
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Params;
  /** The `?h=v&...` part, verbatim without the `?`. */
  headers?: string;
}

export class UriError extends Error {}

/** Parses a `sip:`/`sips:` URI. Throws {@link UriError} on anything else. */
export function parseUri(text: string): SipUri {
  const m = /^(sips?):(.*)$/i.exec(text.trim());
  if (!m) throw new UriError(`Unsupported URI scheme in "${text}"`);
  const scheme = m[1]!.toLowerCase() as 'sip' | 'sips';
  let rest = m[2]!;
  let headers: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    headers = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let userinfo: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  const semi = rest.indexOf(';');
  const hostport = semi >= 0 ? rest.slice(0, semi) : rest;
  const params = semi >= 0 ? parseParams(rest.slice(semi)) : new Map<string, string>();
  const { host, port } = parseHostPort(hostport);
  const uri: SipUri = { scheme, host, params };
  if (port !== undefined) uri.port = port;
  if (userinfo !== undefined) {
    const colon = userinfo.indexOf(':');
    if (colon >= 0) {
      uri.user = userinfo.slice(0, colon);
      uri.password = userinfo.slice(colon + 1);
    } else uri.user = userinfo;
    if (!uri.user) throw new UriError(`Empty user part in "${text}"`);
  }
  if (headers !== undefined) uri.headers = headers;
  return uri;
}

/** Parses `host[:port]`, `[v6]` or `[v6]:port` (RFC 3261 clause 25.1 hostport). */
export function parseHostPort(text: string): { host: string; port?: number } {
  const t = text.trim();
  let host: string;
  let portText: string | undefined;
  if (t.startsWith('[')) {
    const end = t.indexOf(']');
    if (end < 0) throw new UriError(`Unterminated IPv6 reference in "${text}"`);
    host = t.slice(0, end + 1);
    const after = t.slice(end + 1);
    if (after) {
      if (!after.startsWith(':')) throw new UriError(`Bad host:port "${text}"`);
      portText = after.slice(1);
    }
  } else {
    const colon = t.indexOf(':');
    host = colon >= 0 ? t.slice(0, colon) : t;
    portText = colon >= 0 ? t.slice(colon + 1) : undefined;
  }
  if (!host || !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)$/.test(host)) throw new UriError(`Bad host in "${text}"`);
  if (portText === undefined) return { host: host.toLowerCase() };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new UriError(`Bad port in "${text}"`);
  return { host: host.toLowerCase(), port: Number(portText) };
}

export function formatUri(uri: SipUri): string {
  let out = `${uri.scheme}:`;
  if (uri.user !== undefined) out += uri.password !== undefined ? `${uri.user}:${uri.password}@` : `${uri.user}@`;
  out += uri.host;
  if (uri.port !== undefined) out += `:${uri.port}`;
  out += formatParams(uri.params);
  if (uri.headers !== undefined) out += `?${uri.headers}`;
  return out;
}

/** Host without IPv6 brackets, as the socket APIs want it. */
export function socketHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Host as it appears in a URI or Via (IPv6 in brackets). */
export function uriHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
