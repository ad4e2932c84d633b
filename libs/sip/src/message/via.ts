/**
 * Via header values (RFC 3261 clause 20.42, clause 8.1.1.7 branch with magic cookie,
 * RFC 3581 rport).
 */
import { formatParams, parseParams, type Params } from './params.ts';
import { parseHostPort } from './uri.ts';

/** RFC 3261 clause 8.1.1.7: branches of RFC 3261 elements start with this cookie. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

export interface Via {
  protocol: string;
  transport: string;
  host: string;
  port?: number;
  params: Params;
}

export class ViaError extends Error {}

export function parseVia(text: string): Via {
  const m = /^\s*([^/\s]+)\s*\/\s*([^/\s]+)\s*\/\s*([^\s]+)\s+([^;]+)(.*)$/s.exec(text);
  if (!m) throw new ViaError(`Malformed Via "${text}"`);
  let hp;
  try {
    hp = parseHostPort(m[4]!.trim());
  } catch (err) {
    throw new ViaError((err as Error).message);
  }
  const via: Via = {
    protocol: `${m[1]!.toUpperCase()}/${m[2]}`,
    transport: m[3]!.toUpperCase(),
    host: hp.host,
    params: parseParams(m[5]!),
  };
  if (hp.port !== undefined) via.port = hp.port;
  return via;
}

export function formatVia(via: Via): string {
  return `${via.protocol}/${via.transport} ${via.host}${via.port !== undefined ? `:${via.port}` : ''}${formatParams(via.params)}`;
}

/** sent-by as used in transaction matching (RFC 3261 clause 17.2.3). */
export function sentBy(via: Via): string {
  return `${via.host}:${via.port ?? 5060}`;
}
