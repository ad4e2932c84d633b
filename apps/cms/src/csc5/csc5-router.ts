/**
 * CSC-5 (MC service server <-> CMS, TS 23.280 clause 7.5.2.5; TS 24.484 clause 6.2.4.1: server
 * requests are authorized as servers, not per user token): the MCS of this system asks for the
 * migration authorization this (partner) CMS holds for a user, for migration service
 * authorization (TS 24.379 clause 7A).
 *
 * `GET /csc5/migrations/:mcpttId` (admin credential) -> 200
 * `{ mcpttId, homeSystemId, partnerSystemId, profileSelector, accessProfiles }` or 404.
 */
import { Router } from 'express';
import type { Database } from '@mcx/db';
import { adminBearer } from '@mcx/auth';

export function createCsc5Router(o: { db: Database; serverName: string; adminToken: string }): Router {
  const router = Router();
  router.use(adminBearer(o.adminToken, { realm: 'cms-admin' }));
  router.get('/migrations/:mcpttId', async (req, res) => {
    const mcpttId = String(req.params['mcpttId']);
    const row = await o.db.prisma.migrationAuthorization.findFirst({ where: { server: o.serverName, mcpttId, status: 'authorized' }, orderBy: { updatedAt: 'desc' } });
    if (!row) {
      res.status(404).json({ error: 'not_found', detail: `no migration authorization for ${mcpttId}` });
      return;
    }
    res.json({
      mcpttId: row.mcpttId,
      homeSystemId: row.homeSystemId,
      partnerSystemId: row.partnerSystemId,
      profileSelector: row.profileSelector,
      accessProfiles: JSON.parse(row.accessProfiles) as number[],
    });
  });
  return router;
}
