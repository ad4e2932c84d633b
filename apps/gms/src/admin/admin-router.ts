/**
 * The GMS admin API (JSON, control plane only; server contracts "Admin credential"): groups,
 * memberships, group administrators and a view of the subscriptions. Described in
 * apps/gms/openapi.yaml. Every route needs `Authorization: Bearer <adminToken>`.
 * Group ids in paths are bare ids (`fire-1`) or percent-encoded MC group IDs.
 */
import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { adminBearer } from '@mcx/auth';
import type { GroupNotifier } from '../group-subscriptions/group-notifier.ts';
import type { GroupAdministrators } from '../store/administrators.ts';
import type { GroupOperations, WriteOutcome } from './group-operations.ts';

const memberSchema = z.object({
  uri: z.string().min(1),
  displayName: z.string().optional(),
  userPriority: z.number().int().min(0).max(255).optional(),
  participantType: z.string().optional(),
});

export const groupBodySchema = z.object({
  displayName: z.string().min(1),
  members: z.array(z.union([z.string().min(1), memberSchema])).default([]),
  priority: z.number().int().min(0).max(255).optional(),
  protectMedia: z.boolean().optional(),
  protectFloorControlSignalling: z.boolean().optional(),
  maxParticipants: z.number().int().positive().optional(),
  administrators: z.array(z.string().min(1)).optional(),
});

const memberBodySchema = memberSchema.omit({ uri: true }).default({});
const administratorsBodySchema = z.object({ administrators: z.array(z.string().min(1)) });

export interface AdminRouterDeps {
  adminToken: string;
  groups: GroupOperations;
  administrators: GroupAdministrators;
  notifier: GroupNotifier;
}

/** Answers a failed XCAP write with its status and body (xcap-error document for 409). */
function sendOutcome(res: Response, out: WriteOutcome, ok: () => void): void {
  if (out.status < 300) return ok();
  if (out.body !== undefined && out.contentType !== undefined) res.status(out.status).type(out.contentType).send(out.body);
  else res.status(out.status).json({ error: out.status === 404 ? 'not found' : `failed with ${out.status}` });
}

export function createAdminRouter(deps: AdminRouterDeps): Router {
  const { groups } = deps;
  const router = Router();
  router.use(adminBearer(deps.adminToken, { realm: 'gms-admin' }));
  router.use(express.json({ limit: '4mb' }));

  const bad = (res: Response, error: z.ZodError) => res.status(400).json({ error: 'invalid body', issues: error.issues });
  const param = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('/') : (v ?? ''));

  router.get('/groups', (_req, res) => {
    res.json({ groups: groups.list() });
  });

  router.get('/groups/:groupId', (req, res) => {
    const g = groups.get(param(req.params.groupId));
    if (g === undefined) return void res.status(404).json({ error: 'no such group' });
    res.setHeader('ETag', `"${g.etag}"`).json(g);
  });

  router.put('/groups/:groupId', async (req, res) => {
    const parsed = groupBodySchema.safeParse(req.body);
    if (!parsed.success) return void bad(res, parsed.error);
    const groupId = param(req.params.groupId);
    const out = await groups.put(
      { groupId, ...parsed.data },
      { ...(req.get('if-match') ? { ifMatch: req.get('if-match')! } : {}), ...(req.get('if-none-match') ? { ifNoneMatch: req.get('if-none-match')! } : {}) },
    );
    sendOutcome(res, out, () => res.status(out.status).setHeader('ETag', out.etag ?? '').json(groups.get(groupId)));
  });

  router.delete('/groups/:groupId', async (req, res) => {
    const out = await groups.delete(param(req.params.groupId), req.get('if-match'));
    sendOutcome(res, out, () => res.status(204).end());
  });

  router.put('/groups/:groupId/members/:mcpttId', async (req, res) => {
    const parsed = memberBodySchema.safeParse(req.body ?? {});
    if (!parsed.success) return void bad(res, parsed.error);
    const groupId = param(req.params.groupId);
    const out = await groups.addMember(groupId, { uri: param(req.params.mcpttId), ...parsed.data });
    sendOutcome(res, out, () => res.status(200).json(groups.get(groupId)));
  });

  router.delete('/groups/:groupId/members/:mcpttId', async (req, res) => {
    const out = await groups.removeMember(param(req.params.groupId), param(req.params.mcpttId));
    sendOutcome(res, out, () => res.status(204).end());
  });

  router.get('/groups/:groupId/administrators', (req, res) => {
    res.json({ administrators: deps.administrators.of(groups.mcGroupId(param(req.params.groupId))) });
  });

  router.put('/groups/:groupId/administrators', async (req, res) => {
    const parsed = administratorsBodySchema.safeParse(req.body);
    if (!parsed.success) return void bad(res, parsed.error);
    const id = groups.mcGroupId(param(req.params.groupId));
    await deps.administrators.set(id, parsed.data.administrators);
    res.json({ administrators: deps.administrators.of(id) });
  });

  router.get('/subscriptions', (_req, res) => {
    res.json({ subscriptions: deps.notifier.list() });
  });

  return router;
}
