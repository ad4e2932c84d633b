/**
 * Keeping local copies current (TS 24.484 clause 6.3.13.2; RFC 5875 clause 5.2; TS 23.280 10.1.4.3-10.1.4.4):
 * - `fetchDocument`: conditional GET with the ETag held (If-None-Match): 304 = already
 *   synchronized, 200 = newer copy (stored protected), 404 = gone;
 * - `applyNotify`: an xcap-diff NOTIFY body: patch the copy when its ETag is the entry's
 *   previous-etag, else (or when no patch came, or the copy fails its integrity check) GET it.
 */
import { applyDocumentEntry, parseXcapDiff, XcapClient } from '@mcx/xcap';
import { httpFailure } from '../ue/classify.ts';
import type { StepName } from '../ue/states.ts';
import type { DocumentMeta, SystemSession } from '../ue/session.ts';
import type { LocalCopies } from './local-copies.ts';

export const PROFILE_VERSION_HEADER = 'mcx-profile-version';
export const UPLOAD_REQUESTED_HEADER = 'mcx-upload-requested';

export function xcapClient(session: SystemSession, server: 'cms' | 'gms', root?: string): XcapClient {
  const xcapRoot = root || (server === 'cms' ? session.cmsXcapRoot : session.gmsXcapRoot);
  if (!xcapRoot) throw new Error(`${session.systemId} has no ${server.toUpperCase()} XCAP root`);
  return new XcapClient({ xcapRoot, fetch: session.http, headers: (): Record<string, string> => (session.tokens ? { authorization: `Bearer ${session.tokens.accessToken}` } : {}) });
}

export interface FetchOutcome {
  sel: string;
  status: number;
  meta?: DocumentMeta;
  uploadRequested?: boolean;
}

export async function fetchDocument(
  copies: LocalCopies,
  session: SystemSession,
  server: 'cms' | 'gms',
  sel: string,
  step: StepName,
  options: { conditional?: boolean; root?: string } = {},
): Promise<FetchOutcome> {
  const known = copies.get(session.systemId, server, sel);
  const client = xcapClient(session, server, options.root);
  const conditional = (options.conditional ?? true) && known !== undefined;
  const res = await client.get(sel, conditional ? { ifNoneMatch: known.etag } : {});
  if (res.status === 304) return { sel, status: 304, ...(known ? { meta: known } : {}) };
  if (res.status === 404) {
    if (known) await copies.remove(known);
    return { sel, status: 404 };
  }
  if (res.status !== 200 || !res.etag) throw httpFailure(step, res.status, `GET ${sel}`);
  const meta = await copies.save(session.systemId, server, sel, res.etag, res.body, res.contentType ?? 'application/xml');
  return { sel, status: 200, meta };
}

export interface NotifyOutcome {
  sel: string;
  action: string;
}

export async function applyNotify(copies: LocalCopies, session: SystemSession, server: 'cms' | 'gms', body: string, onTamper: (sel: string) => void): Promise<NotifyOutcome[]> {
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
      case 'fetch':
        // Conditional when a copy is held (If-None-Match: 304 keeps it), plain when it is missing or failed its integrity check.
        await fetchDocument(copies, session, server, a.sel, server === 'cms' ? 'subscribe-cms' : 'subscribe-gms', { conditional: local !== undefined, root: diff.xcapRoot });
        break;
      case 'up-to-date':
        break;
    }
    out.push({ sel: entry.sel, action: a.action === 'fetch' ? `fetched (${a.reason})` : a.action });
  }
  return out;
}
