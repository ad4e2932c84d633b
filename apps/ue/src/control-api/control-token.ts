/**
 * Authentication of the control API (docs/ue-host-api.md "Authentication"): one bearer secret per
 * host, `Authorization: Bearer <secret>` (RFC 6750 clause 2.1) on every route except `/healthz`.
 * The secret is the lab's control secret (`mcx up` passes `<dataDir>/secrets/control-token`), or,
 * for a standalone host, `<dataDir>/control-token`, created on first start (mode 0600). Our choice.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { isAdminCredential } from '@mcx/auth';

/** The configured control secret, else the one of `<dataDir>/control-token` (created when absent). */
export function loadControlToken(dataDir: string, given?: string): string {
  if (given) return given;
  const file = join(dataDir, 'control-token');
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return token;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return token;
}

const REALM = 'realm="ue-host"';

/**
 * Express middleware admitting only the control secret (constant-time comparison). A refusal is
 * 401 with an RFC 6750 clause 3 challenge — no error code when no credential was presented
 * (clause 3.1), `error="invalid_token"` otherwise — and the API's problem body `{ error, detail }`.
 */
export function controlBearer(token: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const authorization = req.headers.authorization;
    const presented = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
    if (isAdminCredential(presented, token)) return next();
    const detail = authorization === undefined ? 'the control secret is required (Authorization: Bearer)' : 'not the control secret of this UE host';
    res.setHeader('WWW-Authenticate', authorization === undefined ? `Bearer ${REALM}` : `Bearer ${REALM}, error="invalid_token"`);
    res.status(401).json({ error: authorization === undefined ? 'unauthorized' : 'invalid_token', detail });
  };
}
