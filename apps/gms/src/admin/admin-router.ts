/**
 * The GMS admin API (JSON, control plane only; server contracts "Admin credential"): groups,
 * memberships, group administrators and a view of the subscriptions. Described in
 * apps/gms/openapi.yaml. Every route needs `Authorization: Bearer <adminToken>`.
 * Group ids in paths are bare ids (`fire-1`) or percent-encoded MC group IDs.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { parseXcapError, XCAP_ERROR_MIME } from '@mcx/xcap';
import { z } from 'zod';
import { adminBearer } from '@mcx/auth';
import type { GroupNotifier } from '../group-subscriptions/group-notifier.ts';
import type { GroupAdministrators } from '../store/administrators.ts';
import type { GroupOperations, WriteOutcome } from './group-operations.ts';

/**
 * A member is an MCPTT ID, a SIP URI (TS 23.280 clause 8.1.2), or a tel: URI; quotes, angle
 * brackets, backslashes and white space are refused (they cannot stand in a URI, RFC 3986 clause 2).
 */
const memberUriSchema = z.string().regex(/^(sips?|tel):[^\s"<>\\]+$/i, 'a member is a sip:, sips: or tel: URI without quotes, angle brackets or spaces');

/** A group id in a path: a bare id (`fire-1`, RFC 3986 unreserved characters) or an MC group ID URI as above. */
const groupIdSchema = z.union([z.string().regex(/^[A-Za-z0-9._~-]+$/), memberUriSchema], { message: 'a group id is a bare id (letters, digits, . _ ~ -) or a sip: URI' });

const memberSchema = z.object({
  uri: memberUriSchema,
  displayName: z.string().optional(),
  userPriority: z.number().int().min(0).max(255).optional(),
  participantType: z.string().optional(),
});

export const groupBodySchema = z.object({
  displayName: z.string().min(1),
  members: z.array(z.union([memberUriSchema, memberSchema])).default([]),
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

/**
 * Answers a failed XCAP write as JSON with its status: `{ error, detail }`, where a 409 carries the
 * RFC 4825 clause 11 condition as `error` and the xcap-error document as `xcapError`.
 */
function sendOutcome(res: Response, out: WriteOutcome, ok: () => void): void {
  if (out.status < 300) return ok();
  if (out.body !== undefined && out.contentType?.startsWith(XCAP_ERROR_MIME)) {
    const { condition, phrase } = parseXcapError(out.body);
    return void res.status(out.status).json({ error: condition.tag, detail: phrase ?? condition.tag, xcapError: out.body });
  }
  const error = out.status === 404 ? 'not_found' : out.status === 412 ? 'precondition_failed' : out.status === 403 ? 'forbidden' : 'invalid_request';
  res.status(out.status).json({ error, detail: out.body?.trim() || `the write failed with ${out.status}` });
}

/** A request body express could not read (400 unreadable JSON, 413 over the limit, 415 charset) as JSON. */
function requestBodyErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  const status = (err as { status?: unknown } | null)?.status;
  if (!(err instanceof Error) || typeof status !== 'number' || status < 400 || status > 499 || res.headersSent) return next(err);
  res.status(status).json({ error: status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_request', detail: err.message });
}

export function createAdminRouter(deps: AdminRouterDeps): Router {
  const { groups } = deps;
  const router = Router();
  router.use(adminBearer(deps.adminToken, { realm: 'gms-admin' }));
  router.use(express.json({ limit: '4mb' }));

  // Our JSON error shape (the other admin APIs': `{ error, detail }`), the zod issues kept for clients.
  const bad = (res: Response, error: z.ZodError) =>
    res.status(400).json({ error: 'invalid_request', detail: error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '), issues: error.issues });
  const param = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join('/') : (v ?? ''));

  router.get('/groups', (_req, res) => {
    res.json({ groups: groups.list() });
  });

  router.get('/groups/:groupId', (req, res) => {
    const g = groups.get(param(req.params.groupId));
    if (g === undefined) return void res.status(404).json({ error: 'not_found', detail: `no group ${param(req.params['groupId'])}` });
    res.setHeader('ETag', `"${g.etag}"`).json(g);
  });

  router.put('/groups/:groupId', async (req, res) => {
    const parsed = groupBodySchema.safeParse(req.body);
    if (!parsed.success) return void bad(res, parsed.error);
    const id = groupIdSchema.safeParse(param(req.params.groupId));
    if (!id.success) return void bad(res, id.error);
    const groupId = id.data;
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
    const uri = memberUriSchema.safeParse(param(req.params.mcpttId));
    if (!uri.success) return void bad(res, uri.error);
    const groupId = param(req.params.groupId);
    const out = await groups.addMember(groupId, { uri: uri.data, ...parsed.data });
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

  router.use((req, res) => void res.status(404).json({ error: 'not_found', detail: `no admin route ${req.method} ${req.path}` }));
  router.use(requestBodyErrors);

  return router;
}
