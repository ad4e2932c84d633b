/** Qualified names (Namespaces in XML 1.0 clause 4), as used in node selector steps. */

const NCNAME = /^[\p{L}_][\p{L}\p{N}\p{Mn}\p{Mc}._\-\u00B7\u203F\u2040]*$/u;

export interface QName {
  /** The prefix, or null for an unprefixed name. */
  prefix: string | null;
  localName: string;
}

export function isNCName(s: string): boolean {
  return NCNAME.test(s);
}

/** Parses `prefix:local` or `local`; undefined when it is not a QName. */
export function parseQName(s: string): QName | undefined {
  const parts = s.split(':');
  if (parts.length === 1 && isNCName(s)) return { prefix: null, localName: s };
  if (parts.length === 2 && isNCName(parts[0]!) && isNCName(parts[1]!)) {
    return { prefix: parts[0]!, localName: parts[1]! };
  }
  return undefined;
}

export function formatQName(q: QName): string {
  return q.prefix === null ? q.localName : `${q.prefix}:${q.localName}`;
}
