/**
 * The admin credential (docs/server-contracts.md "Admin credential"): one bearer token per
 * system, accepted by the admin API and the CSC-5 / CSC-17 server-to-server APIs.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Express middleware: `Authorization: Bearer <adminToken>` or 401 with an RFC 6750 challenge. */
export function requireAdmin(adminToken: string) {
  const expected = digest(adminToken);
  return (req: Request, res: Response, next: NextFunction): void => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (m && timingSafeEqual(digest(m[1]!), expected)) return next();
    res.setHeader('WWW-Authenticate', m ? 'Bearer realm="cms-admin", error="invalid_token"' : 'Bearer realm="cms-admin"');
    res.status(401).json({ error: 'unauthorized', detail: m ? 'wrong admin credential' : 'admin credential required' });
  };
}
