/**
 * name-addr / addr-spec values of From, To, Contact, Route and Record-Route
 * (RFC 3261 clause 20.10, clause 25.1). In the addr-spec form without `<>`, parameters after
 * the URI belong to the header, not to the URI (RFC 3261 clause 20.10).
 */
import { formatParams, parseParams, unquote, type Params } from './params.ts';

export interface NameAddr {
  displayName?: string;
  /** The URI text (not parsed; use parseUri for sip:/sips:). */
  uri: string;
  params: Params;
}

export class NameAddrError extends Error {}

export function parseNameAddr(text: string): NameAddr {
  const t = text.trim();
  if (!t) throw new NameAddrError('Empty address');
  const lt = findUnquoted(t, '<');
  if (lt >= 0) {
    const gt = t.indexOf('>', lt);
    if (gt < 0) throw new NameAddrError(`Unterminated <> in "${text}"`);
    const display = t.slice(0, lt).trim();
    const uri = t.slice(lt + 1, gt).trim();
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) throw new NameAddrError(`Bad URI in "${text}"`);
    const out: NameAddr = { uri, params: parseParams(t.slice(gt + 1)) };
    if (display) out.displayName = unquote(display);
    return out;
  }
  const semi = t.indexOf(';');
  const uri = semi >= 0 ? t.slice(0, semi).trim() : t;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri)) throw new NameAddrError(`Bad address "${text}"`);
  return { uri, params: semi >= 0 ? parseParams(t.slice(semi)) : new Map() };
}

export function formatNameAddr(value: NameAddr): string {
  const display = value.displayName ? `"${value.displayName.replace(/(["\\])/g, '\\$1')}" ` : '';
  return `${display}<${value.uri}>${formatParams(value.params)}`;
}

function findUnquoted(text: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ch) return i;
  }
  return -1;
}
