/** Event header values (RFC 6665 clause 8.2.1): a package name and parameters (e.g. `id`). */
import { parseParams } from '../message/params.ts';

export function parseEvent(value: string): { name: string; params: Map<string, string> } {
  const semi = value.indexOf(';');
  return {
    name: (semi >= 0 ? value.slice(0, semi) : value).trim().toLowerCase(),
    params: semi >= 0 ? parseParams(value.slice(semi)) : new Map(),
  };
}

export function formatEvent(name: string, params: Record<string, string>): string {
  let out = name;
  for (const [k, v] of Object.entries(params)) out += v === '' ? `;${k}` : `;${k}=${v}`;
  return out;
}

/** Media-range match for Accept (RFC 3261 clause 20.1): `type/subtype`, `type/*`, `*\/*`. */
export function acceptAllows(accept: readonly string[], contentType: string): boolean {
  if (accept.length === 0) return true;
  const [type, sub] = contentType.toLowerCase().split('/');
  return accept.some((range) => {
    const r = range.split(';')[0]!.trim().toLowerCase();
    if (r === '*/*') return true;
    const [rt, rs] = r.split('/');
    return rt === type && (rs === '*' || rs === sub);
  });
}
