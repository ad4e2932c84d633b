/**
 * Generic `;name=value` parameters (RFC 3261 clause 25.1 generic-param, uri-parameter).
 * Names are case-insensitive and stored lower-case; a flag parameter has the value ''.
 */
export type Params = Map<string, string>;

/** Parses `;a=1;b;c="x;y"` (leading `;` optional). Quoted values keep their quotes. */
export function parseParams(text: string): Params {
  const params: Params = new Map();
  for (const part of splitOutsideQuotes(text, ';')) {
    const item = part.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq < 0) params.set(item.toLowerCase(), '');
    else params.set(item.slice(0, eq).trim().toLowerCase(), item.slice(eq + 1).trim());
  }
  return params;
}

export function formatParams(params: Params): string {
  let out = '';
  for (const [name, value] of params) out += value === '' ? `;${name}` : `;${name}=${value}`;
  return out;
}

/** Splits at `sep` characters that are not inside a quoted string. */
export function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** Strips the quotes of a quoted-string and resolves `\x` escapes (RFC 3261 clause 25.1). */
export function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return value;
}
