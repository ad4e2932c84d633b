/**
 * SIP header names and header collections.
 *
 * RFC 3261 clause 7.3.3 (compact forms), clause 7.3.1 (header field format: a header that
 * is a comma-separated list may appear as several header lines or as one combined line).
 */

/** Compact header forms: RFC 3261 clause 7.3.3 plus the IANA registrations of later RFCs (named per entry). */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'Accept-Contact', // RFC 3841
  b: 'Referred-By', // RFC 3892
  c: 'Content-Type',
  d: 'Request-Disposition', // RFC 3841
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact', // RFC 3841
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  n: 'Identity-Info', // RFC 4474
  o: 'Event', // RFC 6665 clause 8.2.1
  r: 'Refer-To', // RFC 3515
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events', // RFC 6665 clause 8.2.2
  v: 'Via',
  x: 'Session-Expires', // RFC 4028
  y: 'Identity', // RFC 4474
};

/** Canonical spelling of header names whose capitalisation is not simple title case. */
const CANONICAL: Readonly<Record<string, string>> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  'www-authenticate': 'WWW-Authenticate',
  'mime-version': 'MIME-Version',
  'p-asserted-identity': 'P-Asserted-Identity',
  'p-preferred-identity': 'P-Preferred-Identity',
  'p-preferred-service': 'P-Preferred-Service',
  'p-asserted-service': 'P-Asserted-Service',
  'rseq': 'RSeq',
  'rack': 'RAck',
};

/**
 * Headers whose value is a comma-separated list (RFC 3261 clause 7.3.1); they are split into
 * one value per element on parse. Headers not listed here (Authorization, Date, ...) keep
 * commas inside their single value.
 */
const LIST_HEADERS = new Set([
  'via', 'route', 'record-route', 'contact', 'accept', 'accept-encoding', 'accept-language',
  'allow', 'allow-events', 'supported', 'require', 'proxy-require', 'unsupported',
  'content-encoding', 'content-language', 'in-reply-to', 'path', 'service-route',
  'p-asserted-identity', 'p-preferred-identity', 'accept-contact', 'reject-contact',
]);

/** Lower-case long form of a header name (expands compact forms). */
export function headerKey(name: string): string {
  const lower = name.trim().toLowerCase();
  const long = lower.length === 1 ? COMPACT_FORMS[lower] : undefined;
  return long ? long.toLowerCase() : lower;
}

/** Names seen → canonical names: every message spells the same few dozen (bounded: peers choose names). */
const canonicalNames = new Map<string, string>();

/** Canonical display name for a header (long form, conventional capitalisation). */
export function canonicalHeaderName(name: string): string {
  const seen = canonicalNames.get(name);
  if (seen !== undefined) return seen;
  const key = headerKey(name);
  const canonical = CANONICAL[key] ?? key.replace(/(^|-)([a-z])/g, (_m, sep: string, ch: string) => sep + ch.toUpperCase());
  if (canonicalNames.size >= 1024) canonicalNames.clear();
  canonicalNames.set(name, canonical);
  return canonical;
}

export function isListHeader(name: string): boolean {
  return LIST_HEADERS.has(headerKey(name));
}

/**
 * Splits a header value at top-level commas, respecting quoted strings (with backslash
 * escapes) and `<...>` URIs (RFC 3261 clause 7.3.1, clause 25.1 quoted-string).
 */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') depth++;
    else if (ch === '>') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter((v) => v.length > 0);
}

export type HeaderInit = SipHeaders | Record<string, string | number | readonly string[] | undefined>;

/**
 * An ordered, case-insensitive collection of SIP headers. Names are normalised to their long
 * form; list headers hold one value per list element.
 */
export class SipHeaders {
  private readonly map = new Map<string, { name: string; values: string[] }>();

  constructor(init?: HeaderInit) {
    if (init instanceof SipHeaders) {
      for (const [name, values] of init) this.map.set(headerKey(name), { name, values: [...values] });
    } else if (init) {
      for (const [name, value] of Object.entries(init)) {
        if (value === undefined) continue;
        this.set(name, typeof value === 'number' ? String(value) : value);
      }
    }
  }

  get(name: string): string | undefined {
    return this.map.get(headerKey(name))?.values[0];
  }

  getAll(name: string): readonly string[] {
    return this.map.get(headerKey(name))?.values ?? [];
  }

  has(name: string): boolean {
    return this.map.has(headerKey(name));
  }

  /** Replaces every value of `name`. */
  set(name: string, value: string | readonly string[]): this {
    const values = typeof value === 'string' ? [value] : [...value];
    this.map.set(headerKey(name), { name: canonicalHeaderName(name), values });
    return this;
  }

  /** Adds a value after the existing ones (RFC 3261 clause 7.3.1: order is significant). */
  append(name: string, value: string): this {
    const entry = this.map.get(headerKey(name));
    if (entry) entry.values.push(value);
    else this.set(name, value);
    return this;
  }

  /** Adds a value before the existing ones (a new top Via, RFC 3261 clause 8.1.1.7). */
  prepend(name: string, value: string): this {
    const key = headerKey(name);
    const entry = this.map.get(key);
    if (entry) entry.values.unshift(value);
    else this.map.set(key, { name: canonicalHeaderName(name), values: [value] });
    return this;
  }

  delete(name: string): this {
    this.map.delete(headerKey(name));
    return this;
  }

  clone(): SipHeaders {
    return new SipHeaders(this);
  }

  *[Symbol.iterator](): IterableIterator<[string, readonly string[]]> {
    for (const { name, values } of this.map.values()) yield [name, values];
  }
}
