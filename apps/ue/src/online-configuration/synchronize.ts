/**
 * Keeping local copies current (TS 24.484 clause 6.3.13.2; RFC 5875 clause 5.2; TS 23.280 10.1.4.3-10.1.4.4):
 * - `fetchDocument`: conditional GET with the ETag held (If-None-Match): 304 = already
 *   synchronized, 200 = newer copy (stored protected), 404 = gone;
 * - `applyNotify`: an xcap-diff NOTIFY body: patch the copy when its ETag is the entry's
 *   previous-etag, else (or when no patch came, or the copy fails its integrity check) GET it;
 *   a GET that fails transiently is retried (`DocumentRetry`), one that still fails throws.
 */
import { applyDocumentEntry, parseXcapDiff, XcapClient } from '@mcx/xcap';
import { classify, httpFailure, retryAfterMs } from '../ue/classify.ts';
import { StepError, type StepName } from '../ue/states.ts';
import type { DocumentMeta, SystemSession } from '../ue/session.ts';
import type { LocalCopies } from './local-copies.ts';

export const PROFILE_VERSION_HEADER = 'mcx-profile-version';
export const UPLOAD_REQUESTED_HEADER = 'mcx-upload-requested';

export function xcapClient(session: SystemSession, server: 'cms' | 'gms', root?: string, http: typeof fetch = session.http): XcapClient {
  const xcapRoot = root || (server === 'cms' ? session.cmsXcapRoot : session.gmsXcapRoot);
  if (!xcapRoot) throw new Error(`${session.systemId} has no ${server.toUpperCase()} XCAP root`);
  return new XcapClient({ xcapRoot, fetch: http, headers: (): Record<string, string> => (session.tokens ? { authorization: `Bearer ${session.tokens.accessToken}` } : {}) });
}

export interface FetchOutcome {
  sel: string;
  status: number;
  meta?: DocumentMeta;
  uploadRequested?: boolean;
}

/** A failed document GET: the step error, and the server's Retry-After (ms) when it sent one. */
export class DocumentGetError extends StepError {
  constructor(step: StepName, reason: string, transient: boolean, retryAfterMs: number | undefined) {
    super(step, reason, transient, retryAfterMs);
  }
}

export { retryAfterMs };

export async function fetchDocument(
  copies: LocalCopies,
  session: SystemSession,
  server: 'cms' | 'gms',
  sel: string,
  step: StepName,
  options: { conditional?: boolean; root?: string } = {},
): Promise<FetchOutcome> {
  const known = copies.get(session.systemId, server, sel);
  let retryAfter: string | null = null;
  const http: typeof fetch = async (input, init) => {
    const r = await session.http(input, init);
    retryAfter = r.headers.get('retry-after');
    return r;
  };
  const client = xcapClient(session, server, options.root, http);
  const conditional = (options.conditional ?? true) && known !== undefined;
  let res;
  try {
    res = await client.get(sel, conditional ? { ifNoneMatch: known.etag } : {});
  } catch (err) {
    const e = classify(step, err);
    throw new DocumentGetError(step, `GET ${sel}: ${e.reason}`, e.transient, undefined);
  }
  if (res.status === 304) return { sel, status: 304, ...(known ? { meta: known } : {}) };
  if (res.status === 404) {
    if (known) await copies.remove(known);
    return { sel, status: 404 };
  }
  if (res.status !== 200 || !res.etag) {
    const e = httpFailure(step, res.status, `GET ${sel}`);
    throw new DocumentGetError(step, res.status === 200 ? `GET ${sel}: HTTP 200 without an ETag` : e.reason, e.transient, retryAfterMs(retryAfter));
  }
  const meta = await copies.save(session.systemId, server, sel, res.etag, res.body, res.contentType ?? 'application/xml');
  return { sel, status: 200, meta };
}

/**
 * How a document GET that fails transiently (unreachable, 5xx, 429) is retried: `attempts` more
 * times after `backoff(attempt)` ms, or after the server's Retry-After when it sent one
 * (RFC 9110 clause 10.2.3). A Retry-After beyond `maxRetryAfterMs` is not waited for here: the GET
 * fails (transient) and the procedure's own retry takes over. Our choice: the same policy as the
 * procedure steps (ue/step-runner.ts), so that a NOTIFY is answered within the notifier's
 * transaction timeout.
 */
export interface DocumentRetry {
  attempts: number;
  backoff(attempt: number): number;
  maxRetryAfterMs: number;
  sleep(ms: number): Promise<void>;
  /** Told before each retry. */
  onRetry?(sel: string, error: StepError, delayMs: number): void;
}

/** `fetchDocument`, retried as `retry` says; throws the last failure (with "after N attempts"). */
export async function fetchDocumentWithRetry(
  copies: LocalCopies,
  session: SystemSession,
  server: 'cms' | 'gms',
  sel: string,
  step: StepName,
  options: { conditional?: boolean; root?: string },
  retry: DocumentRetry | undefined,
): Promise<FetchOutcome> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fetchDocument(copies, session, server, sel, step, options);
    } catch (err) {
      if (!(err instanceof StepError)) throw err;
      const retryAfter = err instanceof DocumentGetError ? err.retryAfterMs : undefined;
      const last = !retry || !err.transient || attempt >= retry.attempts || session.closed || (retryAfter !== undefined && retryAfter > retry.maxRetryAfterMs);
      if (last) throw attempt === 0 ? err : new StepError(err.step, `${err.reason} (after ${attempt + 1} attempts)`, err.transient);
      const delay = retryAfter ?? retry.backoff(attempt);
      retry.onRetry?.(sel, err, delay);
      await retry.sleep(delay);
    }
  }
}

export interface NotifyOutcome {
  sel: string;
  action: string;
}

export async function applyNotify(
  copies: LocalCopies,
  session: SystemSession,
  server: 'cms' | 'gms',
  body: string,
  onTamper: (sel: string) => void,
  retry?: DocumentRetry,
): Promise<NotifyOutcome[]> {
  const diff = parseXcapDiff(body);
  const out: NotifyOutcome[] = [];
  for (const entry of diff.documents) {
    // A copy from an earlier run is used as "my version" (get-with-version at start, TS 23.280 10.1.4.3).
    const meta = copies.get(session.systemId, server, entry.sel) ?? (await copies.load(session.systemId, server, entry.sel, onTamper));
    let local: { etag: string; body: string } | undefined;
    if (meta && entry.newEtag !== meta.etag) {
      const r = await copies.read(meta);
      if (r.ok) local = { etag: r.copy.etag, body: r.copy.body };
      else if (r.reason === 'tampered') onTamper(entry.sel);
    } else if (meta) local = { etag: meta.etag, body: '' };
    const a = applyDocumentEntry(entry, local, diff.namespaces);
    switch (a.action) {
      case 'patched':
        await copies.save(session.systemId, server, a.sel, a.etag, a.body, 'application/xml');
        break;
      case 'etag-updated':
        await copies.save(session.systemId, server, a.sel, a.etag, local!.body, 'application/xml');
        break;
      case 'deleted':
        if (meta) await copies.remove(meta);
        break;
      case 'fetch': {
        // Conditional when a copy is held (If-None-Match: 304 keeps it), plain when it is missing or failed its integrity check.
        const step = server === 'cms' ? 'subscribe-cms' : 'subscribe-gms';
        await fetchDocumentWithRetry(copies, session, server, a.sel, step, { conditional: local !== undefined, root: diff.xcapRoot }, retry);
        break;
      }
      case 'up-to-date':
        break;
    }
    out.push({ sel: entry.sel, action: a.action === 'fetch' ? `fetched (${a.reason})` : a.action });
  }
  return out;
}
