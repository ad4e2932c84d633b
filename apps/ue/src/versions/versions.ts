/**
 * Versions of the configuration documents (TS 23.280 clause 10.1.4.2-10.1.4.5 over
 * XCAP, apps/cms README "get-with-version"):
 * - `synchronizeAll`: "Get MCPTT user profile request" for every copy = GET with
 *   `If-None-Match: "<etag held>"` (+ `MCX-Profile-Version` when known): 304 = already
 *   synchronized, 200 = newer version stored. When the server answers
 *   `MCX-Upload-Requested: true` (the UE holds a newer version), the UE uploads it;
 * - `uploadDocument`: "Upload MCPTT user data" = conditional PUT with `If-Match: "<etag held>"`;
 *   412 = someone else changed it (never a lost update): the UE re-fetches.
 * A copy that fails its integrity check is fetched unconditionally.
 */
import type { SyncResult, UploadResult } from '@mcx/ue-host-api';
import type { Ue } from '../ue/ue.ts';
import type { DocumentMeta, SystemSession } from '../ue/session.ts';
import { StepError } from '../ue/states.ts';
import { fetchDocument, PROFILE_VERSION_HEADER, UPLOAD_REQUESTED_HEADER, xcapClient } from '../online-configuration/synchronize.ts';

export type { SyncResult, UploadResult } from '@mcx/ue-host-api';

async function getWithVersion(session: SystemSession, meta: DocumentMeta, body: string | undefined): Promise<{ status: number; etag?: string; body: string; uploadRequested: boolean; contentType?: string }> {
  const root = meta.server === 'cms' ? session.cmsXcapRoot : session.gmsXcapRoot!;
  const headers: Record<string, string> = { authorization: `Bearer ${session.tokens?.accessToken ?? ''}` };
  if (body !== undefined) headers['if-none-match'] = `"${meta.etag}"`;
  if (body !== undefined && meta.version !== undefined) headers[PROFILE_VERSION_HEADER] = String(meta.version);
  const res = await session.http(`${root}/${meta.sel}`, { headers });
  const text = await res.text();
  const etag = res.headers.get('etag')?.replace(/^(W\/)?"|"$/g, '');
  return {
    status: res.status,
    ...(etag ? { etag } : {}),
    body: text,
    uploadRequested: res.headers.get(UPLOAD_REQUESTED_HEADER) === 'true',
    ...(res.headers.get('content-type') ? { contentType: res.headers.get('content-type')! } : {}),
  };
}

export async function synchronizeAll(ue: Ue, session: SystemSession, event: (text: string) => void): Promise<SyncResult[]> {
  const out: SyncResult[] = [];
  for (const meta of ue.copies.list(session.systemId)) {
    const local = await ue.copies.read(meta);
    if (!local.ok && local.reason === 'tampered') event(`local copy ${meta.sel} failed its integrity check: re-fetching`);
    const res = await getWithVersion(session, meta, local.ok ? local.copy.body : undefined);
    const result: SyncResult = { selector: meta.sel, status: res.status };
    if (res.status === 200 && res.etag) {
      const serverVersion = res.etag;
      if (res.uploadRequested && local.ok) {
        // The server asks for the newer version the UE holds (TS 23.280 10.1.4.5).
        const put = await xcapClient(session, meta.server).put(meta.sel, local.copy.body, local.copy.contentType, { ifMatch: serverVersion });
        result.uploaded = { status: put.status, etag: put.etag ?? null };
        if (put.status === 200 || put.status === 201) await ue.copies.save(session.systemId, meta.server, meta.sel, put.etag!, local.copy.body, local.copy.contentType);
        event(`server asked for an upload of ${meta.sel}: PUT → ${put.status}`);
      } else await ue.copies.save(session.systemId, meta.server, meta.sel, res.etag, res.body, res.contentType ?? 'application/xml');
    } else if (res.status === 404) await ue.copies.remove(meta);
    out.push(result);
  }
  event(`get-with-version: ${out.map((r) => r.status).join(', ')}`);
  return out;
}

export async function uploadDocument(ue: Ue, session: SystemSession, sel: string | undefined, xml: string | undefined, event: (text: string) => void): Promise<UploadResult> {
  if (!sel) throw new StepError('fetch', 'no document to upload', false);
  const meta = ue.copies.get(session.systemId, 'cms', sel);
  if (!meta) throw new StepError('fetch', `no local copy of ${sel}`, false);
  const local = await ue.copies.read(meta);
  const body = xml ?? (local.ok ? local.copy.body : undefined);
  if (body === undefined) throw new StepError('fetch', `local copy of ${sel} is unreadable (${local.ok ? '' : local.reason})`, false);
  const contentType = local.ok ? local.copy.contentType : 'application/xml';
  const res = await xcapClient(session, 'cms').put(sel, body, contentType.includes('xml') && contentType !== 'application/xml' ? contentType : mimeOf(meta), { ifMatch: meta.etag });
  if (res.status === 200 || res.status === 201) {
    await ue.copies.save(session.systemId, 'cms', sel, res.etag!, body, mimeOf(meta));
    event(`uploaded ${sel}: ${res.status}`);
    return { status: res.status, etag: res.etag ?? null, selector: sel };
  }
  if (res.status === 412) {
    await fetchDocument(ue.copies, session, 'cms', sel, 'fetch', { conditional: false });
    event(`upload of ${sel} refused (412: changed on the server); server copy fetched`);
    return { status: 412, etag: null, selector: sel, refetched: true };
  }
  event(`upload of ${sel} refused: ${res.status}${res.errorCondition ? ` (${res.errorCondition})` : ''}`);
  return { status: res.status, etag: null, selector: sel };
}

function mimeOf(meta: DocumentMeta): string {
  switch (meta.kind) {
    case 'user-profile': return 'application/vnd.3gpp.mcptt-user-profile+xml';
    case 'ue-config': return 'application/vnd.3gpp.mcptt-ue-config+xml';
    case 'service-config': return 'application/vnd.3gpp.mcptt-service-config+xml';
    case 'group': return 'application/vnd.oma.poc.groups+xml';
    default: return 'application/xml';
  }
}
