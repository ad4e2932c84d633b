/** Event header values (RFC 6665 clause 8.2.1): a package name and parameters (e.g. `id`). */
import { parseParams, splitOutsideQuotes } from '../message/params.ts';

export function parseEvent(value: string): { name: string; params: Map<string, string> } {
  const semi = value.indexOf(';');
  return {
    name: (semi >= 0 ? value.slice(0, semi) : value).trim().toLowerCase(),
    params: semi >= 0 ? parseParams(value.slice(semi)) : new Map(),
  };
}

// RFC 3261 clause 25.1: token; RFC 6665 clause 8.4: token-nodot (a token without ".").
const TOKEN_NODOT = "[A-Za-z0-9\\-!%*_+`'~]+";
const TOKEN = "[A-Za-z0-9\\-.!%*_+`'~]+";
/** RFC 6665 clause 8.4: event-type = event-package *( "." event-template ). */
const EVENT_TYPE = new RegExp(`^${TOKEN_NODOT}(?:\\.${TOKEN_NODOT})*$`);
/** RFC 3261 clause 25.1 generic-param: token [ EQUAL gen-value ], gen-value = token / host / quoted-string. */
const EVENT_PARAM = new RegExp(`^${TOKEN}(?:\\s*=\\s*(?:${TOKEN}|\\[[0-9A-Fa-f:.]+\\]|"(?:[^"\\\\]|\\\\[\\s\\S])*"))?$`);

/**
 * Why an Event header value does not match RFC 6665 clause 8.4 (`Event = event-type
 * *( SEMI event-param )`), e.g. an empty parameter in `xcap-diff;;;=;;`; null when it does.
 * A notifier answers such a SUBSCRIBE 400 (RFC 3261 clause 21.4.1: malformed syntax).
 */
export function eventHeaderIssue(value: string): string | null {
  const [type = '', ...params] = splitOutsideQuotes(value, ';');
  if (!EVENT_TYPE.test(type.trim())) return `event type "${type.trim()}" is not an event-package token`;
  for (const p of params) {
    if (!EVENT_PARAM.test(p.trim())) return `event parameter "${p.trim()}" is malformed`;
  }
  return null;
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
