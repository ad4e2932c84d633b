/**
 * CSC-5 (MC service server <-> CMS, TS 23.280 clause 7.5.2.5; TS 24.484 clause 6.2.4.1: server
 * requests are authorized as servers, not per user token): the MCS of this system asks for the
 * migration authorization this (partner) CMS holds for a user, for migration service
 * authorization (TS 24.379 clause 7A).
 *
 * `GET /csc5/migrations/:mcpttId` (admin credential) -> 200
 * `{ mcpttId, homeSystemId, partnerSystemId, profileSelector, accessProfiles }` or 404, from memory
 * (held-authorizations.ts).
 */
import { Router } from 'express';
import { adminBearer } from '@mcx/auth';
import type { HeldAuthorizations } from './held-authorizations.ts';

export function createCsc5Router(o: { held: HeldAuthorizations; adminToken: string }): Router {
  const router = Router();
  router.use(adminBearer(o.adminToken, { realm: 'cms-admin' }));
  router.get('/migrations/:mcpttId', (req, res) => {
    const mcpttId = String(req.params['mcpttId']);
    const held = o.held.get(mcpttId);
    if (!held) {
      res.status(404).json({ error: 'not_found', detail: `no migration authorization for ${mcpttId}` });
      return;
    }
    res.type('application/json').send(held.json);
  });
  return router;
}
