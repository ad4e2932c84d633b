/**
 * Redaction of secrets in tapped messages (docs/ue-host-api.md: "tokens redacted in bodies and
 * headers"): JWTs and OAuth token values keep their first 12 characters + "…"; passwords,
 * PKCE verifiers and authorization codes are replaced entirely.
 */
const keep = (s: string) => (s.length > 12 ? `${s.slice(0, 12)}…` : s);

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const JSON_TOKEN = /("(?:access_token|refresh_token|id_token|subject_token)"\s*:\s*")([^"]+)(")/g;
const FORM_TOKEN = /(\b(?:refresh_token|subject_token|access_token|id_token)=)([^&\s]+)/g;
const FORM_SECRET = /(\b(?:password|code_verifier|code)=)([^&\s]+)/g;
const BEARER = /(Bearer\s+)([^\s,]+)/gi;

export function redact(text: string): string {
  return text
    .replace(JWT, (m) => keep(m))
    .replace(JSON_TOKEN, (_m, a: string, v: string, b: string) => `${a}${keep(v)}${b}`)
    .replace(FORM_TOKEN, (_m, a: string, v: string) => `${a}${keep(decodeURIComponent(v))}`)
    .replace(FORM_SECRET, (_m, a: string) => `${a}***`)
    .replace(BEARER, (_m, a: string, v: string) => `${a}${keep(v)}`);
}

/** A token for snapshots: first 12 characters + "…(redacted)". */
export function redactToken(token: string | undefined): string | undefined {
  return token === undefined ? undefined : `${token.slice(0, 12)}…(redacted)`;
}
