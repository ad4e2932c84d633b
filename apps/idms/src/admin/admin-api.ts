/**
 * IdMS admin API (control plane, JSON): the partner CMS records here which users may migrate to
 * this MC system after CMS-to-CMS sharing (TS 23.280 CSC-17; "users authorized to migrate",
 * TS 23.280 clause 10.17.5), and removes them on revocation. The token exchange reads these rows.
 * Contract: docs/server-contracts.md.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { adminBearer } from '@mcx/auth';
import { z } from 'zod';
import type { PrismaClient } from '@mcx/db';
import { authorizeMigration, revokeMigrationAuthorization, type MigrationAuthorizations } from '../migration/authorizations.ts';

const putBody = z.object({
  homeSystemId: z.string().min(1),
  partnerSystemId: z.string().min(1).optional(),
  profileSelector: z.string().optional(),
  accessProfiles: z.array(z.number().int().min(0).max(255)).default([]),
});

/** `adminToken` is read on every request: `reconfigure` may change it. */
export function adminRouter(options: { adminToken: () => string; systemId: () => string; prisma: PrismaClient; authorizations: MigrationAuthorizations }): Router {
  const router = express.Router();
  const requireAdmin = adminBearer(options.adminToken, { realm: 'idms-admin' });

  router.put('/admin/migration-authorizations/:mcpttId', requireAdmin, express.json({ limit: '16kb' }), async (req, res) => {
    const body = putBody.safeParse(req.body);
    if (!body.success) return res.status(400).json({ error: 'invalid_request', error_description: body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    const partnerSystemId = body.data.partnerSystemId ?? options.systemId();
    if (partnerSystemId !== options.systemId()) {
      return res.status(400).json({ error: 'invalid_request', error_description: `this IdMS serves ${options.systemId()}, not ${partnerSystemId}` });
    }
    const row = await authorizeMigration({ prisma: options.prisma }, {
      partnerSystemId,
      homeSystemId: body.data.homeSystemId,
      mcpttId: String(req.params.mcpttId),
      ...(body.data.profileSelector ? { profileSelector: body.data.profileSelector } : {}),
      accessProfiles: body.data.accessProfiles,
      status: 'authorized',
    });
    res.json({ mcpttId: row.mcpttId, homeSystemId: row.homeSystemId, partnerSystemId: row.partnerSystemId, status: row.status, version: row.version });
  });

  router.delete('/admin/migration-authorizations/:mcpttId', requireAdmin, async (req, res) => {
    const home = typeof req.query.home === 'string' ? req.query.home : undefined;
    if (!home) return res.status(400).json({ error: 'invalid_request', error_description: 'query parameter "home" (home system id) is required' });
    const count = await revokeMigrationAuthorization({ prisma: options.prisma }, { partnerSystemId: options.systemId(), homeSystemId: home, mcpttId: String(req.params.mcpttId) });
    if (count === 0) return res.status(404).json({ error: 'not_found', error_description: 'no migration authorization in force for this user' });
    res.status(204).end();
  });

  router.get('/admin/migration-authorizations', requireAdmin, async (_req, res) => {
    const rows = options.authorizations.list(options.systemId());
    res.json(rows.map((r) => ({ mcpttId: r.mcpttId, homeSystemId: r.homeSystemId, status: r.status, profileSelector: r.profileSelector, accessProfiles: JSON.parse(r.accessProfiles) as unknown, version: r.version })));
  });

  // Every other /admin answer is OAuth-style JSON too (RFC 6749 clause 5.2 shape `{ error, error_description }`).
  router.use('/admin', requireAdmin, (req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found', error_description: `no admin route ${req.method} ${req.originalUrl.split('?')[0]}` });
  });
  router.use('/admin', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (err as { status?: unknown } | null)?.status;
    if (!(err instanceof Error) || typeof status !== 'number' || status < 400 || status > 499 || res.headersSent) return next(err);
    const error = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_request';
    res.status(status).json({ error, error_description: err.message });
  });
  return router;
}
