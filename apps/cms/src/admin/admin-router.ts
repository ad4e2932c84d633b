/**
 * Offline configuration of user profiles by system administrators (TS 23.280 clause 10.1.4.1;
 * the API's shape is our choice): a JSON admin API (apps/cms/openapi.yaml), protected by the system's
 * admin credential. Every edit is validated (schema + the user-profile identity rule), stored
 * through the one change path (versioned, notified to subscribers).
 *
 * Documents are addressed by their XCAP document selector below `/admin/documents/`, e.g.
 * `/admin/documents/org.3gpp.mcptt.user-profile/users/sip:alice@mcx-a.example.net/mcptt-user-profile-1.xml`.
 */
import { Router, json, text, type Request, type Response } from 'express';
import { parseUserProfile, serializeUeInitConfig, serializeUserProfile, type UeInitConfig } from '@mcx/documents';
import { checkElementDepth, EtagMismatch, HttpError, parseEntityTagList, parseXcapUri, quoteEtag, XcapError, type XcapUri } from '@mcx/xcap';
import { z } from 'zod';
import type { XmlLimits } from '@mcx/xml';
import type { WriteChecker } from '../csc4-xcap/write-checker.ts';
import { writeRefusal } from './write-refusals.ts';
import { MIME, migrationProfileSelector, userPrefix } from '../csc4-xcap/document-uris.ts';
import type { OutboundSharing } from '../csc17-partner-sharing/outbound.ts';
import type { CmsSeed, SeedResult, SeedUser } from '../seed/seed.ts';
import { buildSeedProfile } from '../seed/seed.ts';
import type { CmsDocumentStore } from '../store/document-store.ts';
import { adminBearer } from '@mcx/auth';
import { errorCodeOf, requestBodyErrors } from './request-errors.ts';

export interface AdminOptions {
  adminToken: string;
  store: CmsDocumentStore;
  sharing: OutboundSharing;
  seed(input: CmsSeed): Promise<SeedResult>;
  seedUser(user: SeedUser): Promise<SeedResult>;
  /** Checks of whole-document writes (worker threads for large bodies) and the limits counted first. */
  writeChecker: WriteChecker;
  limits: XmlLimits;
}

const MIME_BY_AUID: Record<string, string> = {
  'org.3gpp.mcptt.ue-init-config': MIME.ueInitConfig,
  'org.3gpp.mcptt.ue-config': MIME.ueConfig,
  'org.3gpp.mcptt.user-profile': MIME.userProfile,
  'org.3gpp.mcptt.service-config': MIME.serviceConfig,
};

const profileSchema = z.object({
  index: z.number().int().min(0).max(255),
  name: z.string().min(1),
  preSelected: z.boolean().optional(),
  groups: z.array(z.object({ groupId: z.string(), displayName: z.string().optional(), implicit: z.boolean().optional() })).optional(),
  participantType: z.string().optional(),
});
const userSchema = z.object({
  // An MCPTT ID is a SIP URI (TS 23.280 clause 8.1.2): no quotes, angle brackets, backslashes or white space (RFC 3261 clause 25.1).
  mcpttId: z.string().regex(/^sips?:[^\s"<>\\]+$/, 'an MCPTT ID is a sip: or sips: URI without quotes, angle brackets or spaces'),
  username: z.string().optional(),
  displayName: z.string().optional(),
  organization: z.string().optional(),
  profiles: z.array(profileSchema).min(1),
  partners: z.array(z.object({ systemId: z.string(), name: z.string().optional(), ueInitConfig: z.custom<UeInitConfig>(isUeInitConfig, 'not a UE initial configuration') })).optional(),
  migrateTo: z.array(z.object({ systemId: z.string(), profile: profileSchema, accessProfiles: z.array(z.number().int()).optional() })).optional(),
});
/** A partner's UE initial configuration model is one the document codec can write. */
function isUeInitConfig(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  try {
    serializeUeInitConfig(value as UeInitConfig);
    return true;
  } catch {
    return false;
  }
}

const endpointSchema = z.object({ xcapRoot: z.string().min(1), sipUri: z.string().min(1) });
/** `POST /admin/seed`: the fields CmsSeed reads (seed/seed.ts), checked before anything is written. */
const seedSchema = z.object({
  system: z.object({
    systemId: z.string().min(1),
    domain: z.string().min(1),
    plmns: z.object({ hplmn: z.string().min(1), vplmns: z.array(z.string()).optional() }),
    idms: z.object({ authEndpoint: z.string().min(1), tokenEndpoint: z.string().min(1) }),
    cms: endpointSchema,
    gms: endpointSchema,
    kmsUri: z.string().optional(),
    httpProxy: z.string().optional(),
    mcsUri: z.string().min(1),
    protection: z.object({ integrity: z.boolean(), confidentiality: z.boolean() }).optional(),
    withOffNetwork: z.boolean().optional(),
  }),
  serviceConfig: z
    .object({
      domain: z.string().min(1),
      signallingProtection: z.object({ confidentiality: z.boolean(), integrity: z.boolean() }).optional(),
      withOffNetwork: z.boolean().optional(),
    })
    .optional(),
  users: z.array(userSchema),
});
const migrationSchema = z.object({ partnerSystemId: z.string().min(1), profile: profileSchema, accessProfiles: z.array(z.number().int().min(0).max(255)).default([]) });

function problem(res: Response, status: number, error: string, detail: string): void {
  res.status(status).json({ error, detail });
}

/** A document body nesting elements deeper than the XCAP engine accepts (RFC 4825 clause 11.2 condition). */
function depthIssue(body: string): string | null {
  try {
    checkElementDepth(body);
    return null;
  } catch (err) {
    if (err instanceof XcapError) return err.message;
    throw err;
  }
}

/**
 * Largest user profile compared in its canonical form (our choice, the write checks' inline
 * threshold: every profile of the lab). Parsing two larger ones on the event loop that every
 * server of `mcx up` shares stalled the others for 0.7 s (`mcx bench faults --case large-upload`);
 * larger ones are compared byte for byte.
 */
const CANONICAL_COMPARE_MAX_BYTES = 16 * 1024;

/**
 * True when an admin write would store what is already stored (our choice: such a write makes no
 * new version and notifies nobody). A user profile up to CANONICAL_COMPARE_MAX_BYTES is compared
 * in its canonical form (the document codec's parse and serialize: white space between elements,
 * attribute order and namespace prefixes do not count); any other document byte for byte.
 */
function sameContent(auid: string, stored: string, body: string): boolean {
  if (stored === body) return true;
  if (auid !== 'org.3gpp.mcptt.user-profile') return false;
  if (stored.length > CANONICAL_COMPARE_MAX_BYTES || body.length > CANONICAL_COMPARE_MAX_BYTES) return false;
  try {
    return serializeUserProfile(parseUserProfile(stored)) === serializeUserProfile(parseUserProfile(body));
  } catch {
    return false;
  }
}

function documentUri(req: Request): XcapUri {
  const uri = parseXcapUri(req.url.split('?')[0]!);
  if (uri.nodeSelector !== undefined) throw new HttpError(400, 'the admin API edits whole documents');
  if (!MIME_BY_AUID[uri.document.auid]) throw new HttpError(404, `no MCX document type for AUID ${uri.document.auid}`);
  return uri;
}

export function createAdminRouter(o: AdminOptions): Router {
  const { store } = o;
  const router = Router();
  router.use(adminBearer(o.adminToken, { realm: 'cms-admin' }));

  router.get('/documents', (req, res) => {
    const prefix = typeof req.query['prefix'] === 'string' ? req.query['prefix'] : '';
    res.json(store.listSync(prefix).map((d) => ({ selector: d.selector, etag: d.etag, version: d.version, contentType: d.contentType, updatedAt: d.updatedAt })));
  });

  const documents = Router();
  documents.get('/{*any}', async (req, res) => {
    const uri = documentUri(req);
    const d = store.peek(uri.documentSelector);
    if (!d) return problem(res, 404, 'not_found', `no document ${uri.documentSelector}`);
    const wanted = req.query['version'];
    if (typeof wanted === 'string') {
      // One kept earlier version (the console's diff of two versions), as XCAP serves with ?version=N.
      if (!/^[1-9][0-9]{0,9}$/.test(wanted)) return problem(res, 400, 'invalid_request', 'version is a positive integer');
      const v = await store.getVersion(d.selector, Number(wanted));
      if (!v) return problem(res, 404, 'not_found', `version ${wanted} of ${d.selector} is not kept`);
      res.setHeader('ETag', quoteEtag(v.etag));
      return res.json({ selector: v.selector, etag: v.etag, version: v.version, contentType: v.contentType, updatedAt: v.updatedAt, body: v.body });
    }
    res.setHeader('ETag', quoteEtag(d.etag));
    res.json({ selector: d.selector, etag: d.etag, version: d.version, contentType: d.contentType, updatedAt: d.updatedAt, body: d.body, history: store.history(d.selector) });
  });
  documents.put('/{*any}', text({ type: () => true, limit: '2mb' }), async (req, res) => {
    const uri = documentUri(req);
    const body = typeof req.body === 'string' ? req.body : '';
    const tooDeep = depthIssue(body);
    if (tooDeep) return problem(res, 409, 'not-well-formed', tooDeep);
    // A profile shared for a migrating user lives below migration/<home system>/ (CSC-17).
    const shared = uri.document.path[0] === 'migration' ? { ...uri.document, path: uri.document.path.slice(2) } : uri.document;
    const refusal = await writeRefusal(o.writeChecker, o.limits, { auid: uri.document.auid, xml: body, document: shared, checks: 'admin' });
    if (refusal) {
      for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
      return problem(res, refusal.status, refusal.error, refusal.detail);
    }
    const ifMatch = req.get('if-match');
    let ifEtag: string | null | undefined;
    if (ifMatch !== undefined) {
      const list = parseEntityTagList(ifMatch);
      if (list === undefined || list === '*' || list.length !== 1) return problem(res, 400, 'invalid_request', 'If-Match takes one strong ETag');
      ifEtag = list[0]!.tag;
    }
    const before = store.peek(uri.documentSelector);
    if (before && (ifEtag === undefined || ifEtag === before.etag) && sameContent(uri.document.auid, before.body, body)) {
      // Nothing changed: the stored version stands (no new version, no NOTIFY).
      res.setHeader('ETag', quoteEtag(before.etag));
      return res.status(200).json({ selector: before.selector, etag: before.etag, version: before.version, previousEtag: before.etag, unchanged: true });
    }
    try {
      const d = await store.put(uri.documentSelector, body, { contentType: MIME_BY_AUID[uri.document.auid]!, ifEtag, cause: 'admin' });
      res.setHeader('ETag', quoteEtag(d.etag));
      res.status(before ? 200 : 201).json({ selector: d.selector, etag: d.etag, version: d.version, previousEtag: before?.etag ?? null });
    } catch (err) {
      if (err instanceof EtagMismatch) return problem(res, 412, 'precondition_failed', `current ETag is ${String(err.actual)}`);
      throw err;
    }
  });
  documents.delete('/{*any}', async (req, res) => {
    const uri = documentUri(req);
    const d = await store.delete(uri.documentSelector, { cause: 'admin' });
    if (!d) return problem(res, 404, 'not_found', `no document ${uri.documentSelector}`);
    res.status(204).end();
  });
  router.use('/documents', documents);

  router.get('/users', (_req, res) => {
    const users = new Map<string, { mcpttId: string; profiles: unknown[] }>();
    for (const d of store.listSync('org.3gpp.mcptt.user-profile/users/')) {
      const uri = parseXcapUri(d.selector);
      if (uri.document.path.length !== 1) continue;
      const p = parseUserProfile(d.body);
      const u = users.get(p.xuiUri) ?? { mcpttId: p.xuiUri, profiles: [] };
      u.profiles.push({
        index: p.userProfileIndex,
        name: p.profileName?.[0]?.value ?? null,
        preSelected: p.preSelectedIndication === true,
        selector: d.selector,
        etag: d.etag,
        version: d.version,
      });
      users.set(p.xuiUri, u);
    }
    res.json([...users.values()]);
  });

  router.put('/users/:mcpttId', json({ limit: '2mb' }), async (req, res) => {
    const parsed = userSchema.safeParse({ ...req.body, mcpttId: req.params['mcpttId'] });
    if (!parsed.success) return problem(res, 400, 'invalid_request', parsed.error.message);
    res.json(await o.seedUser(parsed.data as SeedUser));
  });

  router.post('/seed', json({ limit: '20mb' }), async (req, res) => {
    const parsed = seedSchema.safeParse(req.body);
    if (!parsed.success) return problem(res, 400, 'invalid_request', `expected { system, users, serviceConfig? }: ${parsed.error.message}`);
    res.json(await o.seed(parsed.data as CmsSeed));
  });

  router.get('/migrations', async (req, res) => {
    // `?mcpttId=` (and `&partnerSystemId=`): the shares of one user, which the primary MCS reads on every migration
    // (apps/mcs primary-leg). Without them, every share, kept serialized between changes.
    const { mcpttId, partnerSystemId } = req.query;
    if (typeof mcpttId !== 'string') return void res.type('application/json').send(await o.sharing.listJson());
    const rows = await o.sharing.sharesOf(mcpttId);
    res.json(typeof partnerSystemId === 'string' ? rows.filter((r) => r.partnerSystemId === partnerSystemId) : rows);
  });

  /** Authorize (or re-share) a user's migration to a partner with the profile to use there (CSC-17). */
  router.put('/migrations/:mcpttId', json(), async (req, res) => {
    const mcpttId = String(req.params['mcpttId']);
    const parsed = migrationSchema.safeParse(req.body);
    if (!parsed.success) return problem(res, 400, 'invalid_request', parsed.error.message);
    const m = parsed.data;
    if (store.listSync(userPrefix('org.3gpp.mcptt.user-profile', mcpttId)).length === 0) return problem(res, 404, 'not_found', `no user ${mcpttId}`);
    const selector = migrationProfileSelector(mcpttId, m.partnerSystemId, m.profile.index);
    const body = buildSeedProfile({ mcpttId }, { ...m.profile, groups: m.profile.groups ?? [] }, []);
    try {
      await o.sharing.record(mcpttId, m.partnerSystemId, selector, m.accessProfiles);
    } catch (err) {
      return problem(res, 404, 'unknown_partner', (err as Error).message);
    }
    if (store.peek(selector)?.body !== body) await store.put(selector, body, { contentType: MIME.userProfile, cause: 'admin' });
    const summary = await o.sharing.shareMigrations();
    res.json({ selector, ...summary });
  });

  /** Revoke a user's migration authorization; the partner CMS removes it (CSC-17). */
  router.delete('/migrations/:mcpttId', async (req, res) => {
    const mcpttId = String(req.params['mcpttId']);
    const partner = typeof req.query['partner'] === 'string' ? req.query['partner'] : '';
    if (!(await o.sharing.revoke(mcpttId, partner))) return problem(res, 404, 'not_found', `no migration of ${mcpttId} to ${partner}`);
    res.json(await o.sharing.shareMigrations());
  });

  router.post('/migrations/share', async (_req, res) => {
    res.json(await o.sharing.shareMigrations());
  });

  // Any other route is answered in the API's JSON shape too (not express's HTML page).
  router.use((req: Request, res: Response) => problem(res, 404, 'not_found', `no admin route ${req.method} ${req.path}`));
  router.use(requestBodyErrors);
  router.use((err: unknown, _req: Request, res: Response, next: (e?: unknown) => void) => {
    if (err instanceof HttpError) return problem(res, err.status, errorCodeOf(err.status), err.message);
    next(err);
  });
  return router;
}
