/**
 * The UE host control API (docs/ue-host-api.md, the contract): HTTP JSON for the control plane
 * and one server-sent event stream of snapshots and protocol messages. The UEs themselves speak
 * the specs' wire formats; JSON is only here.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { BulkPlmnRequest, CreateBulkRequest, CreateUeRequest, Message, UeSnapshot, UeSummary, UploadRequest } from '@mcx/ue-host-api';
import type { UeHostHandle } from '../host/ue-host.ts';
import type { Ue } from '../ue/ue.ts';
import { controlBearer } from './control-token.ts';

const PLMN = /^\d{5,6}$/;

function problem(res: Response, status: number, error: string, detail: string): void {
  res.status(status).json({ error, detail });
}

export function createControlApi(host: UeHostHandle): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // No CORS at all: the console calls this API server-side; a web page of another origin gets no grant.

  const find = (req: Request, res: Response): Ue | undefined => {
    const ue = host.ue(String(req.params['id']));
    if (!ue) problem(res, 404, 'not_found', `no UE "${String(req.params['id'])}"`);
    return ue;
  };

  app.get('/healthz', (_req, res) => void res.json({ ok: true, app: 'ue-host', ues: host.ues().length }));
  // Every other route (the event stream and preflights included) needs the control secret, checked before the body is read.
  app.use(controlBearer(host.controlToken));
  app.use(express.json({ limit: '2mb' }));
  // A request body of this API is a JSON object (docs/ue-host-api.md): an array is refused, not read as "no fields".
  app.use((req, res, next) => {
    if (Array.isArray(req.body)) return problem(res, 400, 'invalid_request', 'the body is a JSON object, not an array');
    next();
  });

  // `?prefix=` (extension) limits the list to UEs whose id starts with it.
  app.get('/api/ues', (req, res) => {
    const prefix = typeof req.query['prefix'] === 'string' ? req.query['prefix'] : '';
    res.json(host.ues().filter((u) => u.id.startsWith(prefix)).map((u) => u.snapshot()));
  });

  // Counts only (UeSummary): no snapshot is built, so polling it while thousands of UEs migrate costs next to nothing.
  app.get('/api/ues/summary', (req, res) => {
    const prefix = typeof req.query['prefix'] === 'string' ? req.query['prefix'] : '';
    const summary: UeSummary = { total: 0, states: {}, migrated: 0 };
    for (const ue of host.ues()) {
      if (!ue.id.startsWith(prefix)) continue;
      const state = ue.state;
      summary.total++;
      summary.states[state] = (summary.states[state] ?? 0) + 1;
      if (state === 'STABLE' && ue.current?.role === 'partner' && ue.timings.migrationMs !== undefined) summary.migrated++;
    }
    res.json(summary);
  });

  app.post('/api/ues', (req, res) => {
    const b = (req.body ?? {}) as Partial<CreateUeRequest>;
    if (typeof b.user !== 'string' || !b.user) return problem(res, 400, 'invalid_request', '"user" is required');
    if (b.plmn !== undefined && !PLMN.test(b.plmn)) return problem(res, 400, 'invalid_request', 'a PLMN id is MCC + MNC (5 or 6 digits)');
    try {
      const ue = host.createUe({ user: b.user, ...(b.id ? { id: b.id } : {}), ...(b.password ? { password: b.password } : {}), ...(b.plmn ? { plmn: b.plmn } : {}) });
      res.status(201).json(ue.snapshot());
    } catch (err) {
      const msg = (err as Error).message;
      problem(res, /exists/.test(msg) ? 409 : 400, /exists/.test(msg) ? 'conflict' : 'invalid_request', msg);
    }
  });

  app.post('/api/ues/bulk', (req, res) => {
    const b = (req.body ?? {}) as Partial<CreateBulkRequest>;
    const count = Number(b.count);
    const users = b.users ?? (b.user ? [b.user] : []);
    if (!Number.isInteger(count) || count < 1 || count > 100_000) return problem(res, 400, 'invalid_request', '"count" must be 1..100000');
    if (users.length === 0) return problem(res, 400, 'invalid_request', '"user" or "users" is required');
    const prefix = b.prefix ?? 'bulk';
    const ids: string[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const ue = host.createUe({ id: `${prefix}-${i + 1}`, user: users[i % users.length]!, ...(b.plmn ? { plmn: b.plmn } : {}) });
        ids.push(ue.id);
      }
    } catch (err) {
      return problem(res, 400, 'invalid_request', `${(err as Error).message} (created: ${ids.length})`);
    }
    res.status(201).json({ ids });
  });

  // Extension: many PLMN changes in one request (benchmarks: "changes all their PLMNs at once").
  app.post('/api/ues/bulk/plmn', (req, res) => {
    const b = (req.body ?? {}) as Partial<BulkPlmnRequest>;
    if (typeof b.plmn !== 'string' || !PLMN.test(b.plmn)) return problem(res, 400, 'invalid_request', 'a PLMN id is MCC + MNC (5 or 6 digits)');
    const ues = Array.isArray(b.ids) ? b.ids.map((id) => host.ue(String(id))).filter((u): u is Ue => u !== undefined) : host.ues().filter((u) => b.prefix === undefined || u.id.startsWith(b.prefix));
    for (const ue of ues) void ue.setPlmn(b.plmn);
    res.status(202).json({ ids: ues.map((u) => u.id) });
  });

  app.get('/api/ues/:id', (req, res) => {
    const ue = find(req, res);
    if (ue) res.json(ue.snapshot());
  });

  app.delete('/api/ues/:id', async (req, res) => {
    if (!(await host.removeUe(String(req.params['id'])))) return problem(res, 404, 'not_found', `no UE "${String(req.params['id'])}"`);
    res.status(204).end();
  });

  app.post('/api/ues/:id/plmn', (req, res) => {
    const ue = find(req, res);
    if (!ue) return;
    const plmn = (req.body as { plmn?: string } | undefined)?.plmn;
    if (typeof plmn !== 'string' || !PLMN.test(plmn)) return problem(res, 400, 'invalid_request', 'a PLMN id is MCC + MNC (5 or 6 digits)');
    void ue.setPlmn(plmn);
    res.status(202).json(ue.snapshot());
  });

  // Fault injection (scenarios; our choice): drop or delay this UE's SIP from/to one peer lane for a time.
  app.post('/api/ues/:id/faults/sip', (req, res) => {
    const ue = find(req, res);
    if (!ue) return;
    const b = (req.body ?? {}) as { peer?: unknown; action?: unknown; direction?: unknown; delayMs?: unknown; forMs?: unknown };
    const direction = b.direction ?? 'both';
    if (typeof b.peer !== 'string' || !/^(IdMS|CMS|GMS|MCS)-[A-Z]$/.test(b.peer)) return problem(res, 400, 'invalid_request', 'peer: a lane such as CMS-A or MCS-B');
    if (b.action !== 'drop' && b.action !== 'delay') return problem(res, 400, 'invalid_request', 'action: drop or delay');
    if (direction !== 'in' && direction !== 'out' && direction !== 'both') return problem(res, 400, 'invalid_request', 'direction: in, out or both');
    if (typeof b.forMs !== 'number' || !(b.forMs > 0 && b.forMs <= 600_000)) return problem(res, 400, 'invalid_request', 'forMs: 1 to 600000');
    if (b.action === 'delay' && (typeof b.delayMs !== 'number' || !(b.delayMs > 0 && b.delayMs <= 60_000))) return problem(res, 400, 'invalid_request', 'delayMs: 1 to 60000');
    const fault = { ue: ue.id, peer: b.peer, action: b.action, direction, delayMs: typeof b.delayMs === 'number' ? b.delayMs : 0, until: Date.now() + b.forMs } as const;
    host.addSipFault(fault);
    res.status(202).json({ ...fault, until: new Date(fault.until).toISOString() });
  });

  // Fault injection (scenarios; our choice): the UE's access token counts as expired now; it renews at once.
  app.post('/api/ues/:id/faults/expire-token', (req, res) => {
    const ue = find(req, res);
    if (!ue) return;
    if (!ue.expireToken()) return problem(res, 409, 'conflict', `UE "${ue.id}" holds no access token (not configured)`);
    res.status(202).json(ue.snapshot());
  });

  app.post('/api/ues/:id/sync', async (req, res) => {
    const ue = find(req, res);
    if (!ue) return;
    try {
      res.json({ results: await ue.sync() });
    } catch (err) {
      problem(res, 409, 'conflict', (err as Error).message);
    }
  });

  app.post('/api/ues/:id/upload', async (req, res) => {
    const ue = find(req, res);
    if (!ue) return;
    const b = (req.body ?? {}) as UploadRequest;
    if ((b.selector !== undefined && typeof b.selector !== 'string') || (b.xml !== undefined && typeof b.xml !== 'string')) {
      return problem(res, 400, 'invalid_request', '"selector" and "xml" are strings');
    }
    if (!ue.current) return problem(res, 409, 'conflict', `UE "${ue.id}" is not configured in any MC system`);
    const selector = b.selector ?? ue.activeProfile()?.sel;
    if (!selector || !ue.copies.get(ue.current.systemId, 'cms', selector)) {
      return problem(res, 404, 'not_found', `UE "${ue.id}" holds no copy of ${selector ?? 'an active user profile'} from ${ue.current.systemId}`);
    }
    try {
      const result = await ue.upload(selector, b.xml);
      // status 0: the procedure did not reach the CMS (the UE's log says why).
      if (result.status === 0) return problem(res, 409, 'conflict', `the upload of ${selector} did not run`);
      res.json(result);
    } catch (err) {
      problem(res, 409, 'conflict', (err as Error).message);
    }
  });

  app.get('/api/ues/:id/documents/:n', async (req, res) => {
    const ue = find(req, res);
    if (!ue) return;
    const meta = ue.documentAt(Number(req.params['n']));
    if (!meta) return problem(res, 404, 'not_found', `no document #${String(req.params['n'])}`);
    const r = await ue.copies.read(meta);
    if (!r.ok) return problem(res, r.reason === 'tampered' ? 422 : 404, r.reason, `local copy of ${meta.sel} is ${r.reason}`);
    res.setHeader('etag', `"${r.copy.etag}"`);
    res.type(r.copy.contentType).send(r.copy.body);
  });

  app.get('/api/ues/:id/messages', (req, res) => {
    const ue = find(req, res);
    if (!ue) return;
    res.json(host.log.since(ue.id, Number(req.query['since'] ?? 0) || 0));
  });

  app.get('/api/events', (req, res) => {
    const only = typeof req.query['ue'] === 'string' ? req.query['ue'] : undefined;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': mcx ue host\n\n');
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    for (const ue of host.ues()) if (!only || ue.id === only) send('ue', ue.snapshot());
    const offUe = host.onChange((s: UeSnapshot) => {
      if (!only || s.id === only) send('ue', s);
    });
    const offMsg = host.log.listen((m: Message) => {
      if (!only || m.ue === only) send('message', m);
    });
    const offRemoved = host.onRemoved((id) => {
      if (!only || id === only) send('removed', { id });
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
    ping.unref();
    req.on('close', () => {
      clearInterval(ping);
      offUe();
      offMsg();
      offRemoved();
    });
  });

  // Anything else, and a body express could not read, is answered in the API's JSON shape too.
  app.use((req, res) => problem(res, 404, 'not_found', `no route ${req.method} ${req.path}`));
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (err as { status?: unknown } | null)?.status;
    if (res.headersSent) return next(err);
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const error = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_request';
      return problem(res, status, error, (err as Error).message);
    }
    problem(res, 500, 'server_error', (err as Error)?.message ?? 'internal error');
  });
  return app;
}
