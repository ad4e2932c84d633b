/**
 * CSC-17, partner side (TS 23.280 clause 7.5.2.17, 10.1.4.1): the primary CMS tells this CMS
 * which of its users may migrate here and the user profile each will use here (TS 24.484
 * clause 4.2.2.1.2 NOTE 1: a different document from the primary-configured one used to gain
 * access). This CMS
 * 1. checks the caller (this system's admin token, "pre-established trust") and that the home
 *    system is a configured partner,
 * 2. validates the profile (schema, XUI-URI = the user, index),
 * 3. stores it under the MCPTT ID this system assigns the user (TS 23.280 clause 10.16.5; XUI-URI
 *    and MCPTT-user-ID rewritten to it: `users/<assigned id>/mcptt-user-profile-<i>.xml`) plus a UE
 *    configuration for the user (the one change path: versioned and notified),
 * 4. records the `MigrationAuthorization` (read by CSC-5 and the IdMS),
 * 5. notifies the IdMS hook.
 * A revocation marks the row revoked, deletes the user's documents (subscribers get a NOTIFY
 * with previous-etag only) and notifies the IdMS hook.
 *
 * `PUT /csc17/migrations/:mcpttId` body `{ homeSystemId, partnerSystemId, accessProfiles,
 * userProfile: { index, body } }` -> 200 `{ status, profileSelector }`;
 * `DELETE /csc17/migrations/:mcpttId?home=<systemId>` -> 204; 400 without `home`, 403 when `home` is
 * not a partner, 404 for a user that system never shared.
 */
import { Router, json, type Request, type Response } from 'express';
import { AUID, buildUeConfig, parseUserProfile, serializeUeConfig, serializeUserProfile } from '@mcx/documents';
import type { Database } from '@mcx/db';
import { elementDepth, EtagMismatch, MAX_ELEMENT_DEPTH } from '@mcx/xcap';
import type { Logger } from 'pino';
import { z } from 'zod';
import { MIME, ueConfigSelector, ueIdOfUser, userPrefix, userProfileSelector } from '../csc4-xcap/document-uris.ts';
import type { XmlLimits } from '@mcx/xml';
import type { WriteChecker } from '../csc4-xcap/write-checker.ts';
import { writeRefusal } from '../admin/write-refusals.ts';
import type { CmsDocumentStore } from '../store/document-store.ts';
import { adminBearer } from '@mcx/auth';
import { requestBodyErrors } from '../admin/request-errors.ts';
import type { IdmsMigrationHook } from './idms-hook.ts';
import type { HeldAuthorizations } from '../csc5/held-authorizations.ts';

const shareSchema = z.object({
  homeSystemId: z.string().min(1),
  partnerSystemId: z.string().min(1),
  accessProfiles: z.array(z.number().int().min(0).max(255)).default([]),
  userProfile: z.object({ index: z.number().int().min(0).max(255), body: z.string().min(1).max(1024 * 1024) }),
});

export interface InboundOptions {
  db: Database;
  store: CmsDocumentStore;
  systemId: string;
  domain: string;
  serverName: string;
  adminToken: string;
  trustedHomeSystems: () => string[];
  /** Checks of the shared profile (worker threads for large bodies) and the limits counted first. */
  writeChecker: WriteChecker;
  limits: XmlLimits;
  hook: IdmsMigrationHook;
  /** The in-memory view CSC-5 answers from: refreshed after each committed share or revocation. */
  held: HeldAuthorizations;
  /**
   * The MCPTT ID this system assigns a user of `homeSystemId` migrating here (TS 23.280 clause
   * 10.16.5; libs/auth assignMigratedMcpttId): the user's documents here are stored under it.
   */
  assignId: (primaryMcpttId: string, homeSystemId: string) => string;
  logger: Logger;
}

/** The shared profile as this system's document of the migrated user: XUI-URI and MCPTT-user-ID = the ID assigned here. */
function asAssignedProfile(body: string, assigned: string): string {
  const profile = parseUserProfile(body);
  if (profile.xuiUri === assigned) return body;
  profile.xuiUri = assigned;
  if (profile.common?.mcpttUserId) profile.common.mcpttUserId.uriEntry = assigned;
  return serializeUserProfile(profile);
}

function problem(res: Response, status: number, error: string, detail: string): void {
  res.status(status).json({ error, detail });
}

export function createCsc17Router(o: InboundOptions): Router {
  const router = Router();
  router.use(adminBearer(o.adminToken, { realm: 'cms-admin' }));

  router.put('/migrations/:mcpttId', json({ limit: '2mb' }), async (req: Request, res: Response) => {
    const mcpttId = String(req.params['mcpttId']);
    const parsed = shareSchema.safeParse(req.body);
    if (!parsed.success) return problem(res, 400, 'invalid_request', parsed.error.message);
    const share = parsed.data;
    if (elementDepth(share.userProfile.body, MAX_ELEMENT_DEPTH) > MAX_ELEMENT_DEPTH) {
      return problem(res, 409, 'not-well-formed', `elements nest deeper than ${MAX_ELEMENT_DEPTH} levels`);
    }
    if (share.partnerSystemId !== o.systemId) return problem(res, 409, 'wrong_partner', `this is ${o.systemId}, not ${share.partnerSystemId}`);
    if (!o.trustedHomeSystems().includes(share.homeSystemId)) return problem(res, 403, 'untrusted_home_system', `${share.homeSystemId} is not a partner of ${o.systemId}`);
    // Schema, then XUI-URI = the user and user-profile-index = the index shared (as its document name says).
    const document = { auid: AUID.userProfile, tree: 'users' as const, xui: mcpttId, path: [`mcptt-user-profile-${share.userProfile.index}.xml`] };
    const refusal = await writeRefusal(o.writeChecker, o.limits, { auid: AUID.userProfile, xml: share.userProfile.body, document, checks: 'admin' });
    if (refusal) {
      for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
      return problem(res, refusal.status, refusal.error, refusal.detail);
    }
    // The user's ID here is the one this system assigns (TS 23.280 clause 10.16.5); its documents are stored under it.
    const assigned = o.assignId(mcpttId, share.homeSystemId);
    const profileBody = asAssignedProfile(share.userProfile.body, assigned);
    const selector = userProfileSelector(assigned, share.userProfile.index);
    // Documents: the profile used here (replacing a profile shared earlier under another index) and a UE configuration.
    for (const d of o.store.listSync(userPrefix('org.3gpp.mcptt.user-profile', assigned))) {
      if (d.selector !== selector) await o.store.delete(d.selector, { cause: 'csc17' });
    }
    const current = o.store.peek(selector);
    if (current?.body !== profileBody) {
      await o.store.put(selector, profileBody, { contentType: MIME.userProfile, cause: 'csc17' });
    }
    const ueConfig = ueConfigSelector(assigned);
    if (!o.store.peek(ueConfig)) {
      const profile = parseUserProfile(profileBody);
      const groups = profile.onNetwork?.mcpttGroupInfo?.[0]?.entry?.map((e, i) => ({ groupId: e.uriEntry, priority: i + 1 })) ?? [];
      const body = serializeUeConfig(buildUeConfig({ domain: o.domain, ueId: ueIdOfUser(assigned), prioritizedGroups: groups }));
      try {
        await o.store.put(ueConfig, body, { ifEtag: null, contentType: MIME.ueConfig, cause: 'csc17' });
      } catch (err) {
        if (!(err instanceof EtagMismatch)) throw err;
      }
    }
    const data = {
      partnerSystemId: o.systemId,
      profileSelector: selector,
      accessProfiles: JSON.stringify(share.accessProfiles),
      status: 'authorized',
    };
    // Keyed by the ID assigned here: CSC-5 is asked with the partner token's mcptt_id.
    await o.db.prisma.migrationAuthorization.upsert({
      where: { server_mcpttId_homeSystemId: { server: o.serverName, mcpttId: assigned, homeSystemId: share.homeSystemId } },
      create: { server: o.serverName, mcpttId: assigned, homeSystemId: share.homeSystemId, ...data },
      update: data,
    });
    await o.held.refresh(assigned);
    try {
      await o.hook.authorized({ mcpttId, homeSystemId: share.homeSystemId, partnerSystemId: o.systemId, profileSelector: selector, accessProfiles: share.accessProfiles });
    } catch (err) {
      o.logger.warn({ err, mcpttId }, 'csc17: IdMS hook failed; the primary will retry the share');
      return problem(res, 502, 'idms_unavailable', (err as Error).message);
    }
    o.logger.info({ mcpttId, assigned, home: share.homeSystemId, selector }, 'csc17: migration authorized');
    res.status(200).json({ status: 'authorized', mcpttId: assigned, profileSelector: selector });
  });

  router.delete('/migrations/:mcpttId', async (req: Request, res: Response) => {
    const mcpttId = String(req.params['mcpttId']);
    // Only the primary MC system that shared a user revokes it (TS 23.280 clause 10.1.4.1): the
    // revocation names that system, which must be a configured partner.
    const home = typeof req.query['home'] === 'string' ? req.query['home'] : '';
    if (!home) return problem(res, 400, 'invalid_request', 'the revocation names the home system that shared the user (?home=<systemId>)');
    if (!o.trustedHomeSystems().includes(home)) return problem(res, 403, 'untrusted_home_system', `${home} is not a partner of ${o.systemId}`);
    const assigned = o.assignId(mcpttId, home);
    const rows = await o.db.prisma.migrationAuthorization.findMany({
      where: { server: o.serverName, mcpttId: assigned, status: 'authorized', homeSystemId: home },
    });
    if (rows.length === 0) return problem(res, 404, 'not_found', `no migration authorization for ${mcpttId} shared by ${home}`);
    for (const r of rows) {
      await o.db.prisma.migrationAuthorization.update({ where: { id: r.id }, data: { status: 'revoked', version: r.version + 1 } });
    }
    await o.held.refresh(assigned);
    for (const d of [...o.store.listSync(userPrefix('org.3gpp.mcptt.user-profile', assigned)), ...o.store.listSync(userPrefix('org.3gpp.mcptt.ue-config', assigned))]) {
      await o.store.delete(d.selector, { cause: 'csc17' });
    }
    try {
      for (const r of rows) await o.hook.revoked({ mcpttId, homeSystemId: r.homeSystemId });
    } catch (err) {
      o.logger.warn({ err, mcpttId }, 'csc17: IdMS hook (revoke) failed');
      return problem(res, 502, 'idms_unavailable', (err as Error).message);
    }
    o.logger.info({ mcpttId }, 'csc17: migration authorization revoked');
    res.status(204).end();
  });

  router.use(requestBodyErrors);
  return router;
}
