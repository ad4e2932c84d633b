/**
 * The UE-initiated "get user profile" request/response (TS 23.280 clause 10.1.4.2/10.1.4.3) over
 * XCAP: the version of a document is its strong ETag (RFC 4825 clause 7.11) plus a version
 * number (our extension headers below).
 *
 * Request: `GET <profile URI>` with
 * - `If-None-Match: "<etag the UE holds>"` (absent = the UE holds none),
 * - `MCX-Profile-Version: <n>` (our extension, optional): the version number the UE holds,
 * - `?version=<n>` (our extension, optional): the desired earlier version (default: latest).
 *
 * Response:
 * - 304 "Not Modified (already synchronized)": the UE holds the latest version;
 * - 200 with the profile, `ETag` and `MCX-Profile-Version`: the server has a newer (or the
 *   asked-for) version;
 * - 200 with the server copy **and `MCX-Upload-Requested: true`**: the UE's ETag is unknown to
 *   the server and its version number is higher than the server's, i.e. the UE holds a newer
 *   copy (offline edit) and policy `request-upload` asks it to upload (TS 23.280
 *   clause 10.1.4.5: the upload may be triggered by information from the server). With policy
 *   `server-wins` the header is left out.
 * - errors: 403/404/412 with a reason phrase, 409 with an xcap-error document.
 */
import { evaluatePreconditions, parseEntityTagList, type StoredDocument } from '@mcx/xcap';
import type { UploadRequestPolicy } from '../config/config.ts';
import type { VersionInfo } from '../store/document-store.ts';

export const PROFILE_VERSION_HEADER = 'MCX-Profile-Version';
export const UPLOAD_REQUESTED_HEADER = 'MCX-Upload-Requested';

export type GetDecision =
  | { kind: 'not-modified' }
  | { kind: 'precondition-failed' }
  | { kind: 'send'; uploadRequested: boolean };

export interface GetWithVersionInput {
  current: StoredDocument;
  /** The kept versions (read only when the answer is not a 304). */
  history: readonly VersionInfo[] | (() => readonly VersionInfo[]);
  ifMatch: string | undefined;
  ifNoneMatch: string | undefined;
  /** The MCX-Profile-Version request header. */
  ueVersion: string | undefined;
  policy: UploadRequestPolicy;
}

/** Decides the answer to a get-with-version (see the module comment). */
export function decideGetWithVersion(i: GetWithVersionInput): GetDecision {
  const outcome = evaluatePreconditions('GET', { ifMatch: i.ifMatch, ifNoneMatch: i.ifNoneMatch }, { etag: i.current.etag, exists: true });
  if (outcome.result === 'not-modified') return { kind: 'not-modified' };
  if (outcome.result === 'precondition-failed') return { kind: 'precondition-failed' };
  return { kind: 'send', uploadRequested: i.policy === 'request-upload' && ueHoldsNewer(i) };
}

/** The UE holds a copy the server never issued, with a higher version number than the server's. */
export function ueHoldsNewer(i: Pick<GetWithVersionInput, 'current' | 'history' | 'ifNoneMatch' | 'ueVersion'>): boolean {
  if (i.ifNoneMatch === undefined || i.ueVersion === undefined || !/^\d{1,9}$/.test(i.ueVersion.trim())) return false;
  const tags = parseEntityTagList(i.ifNoneMatch);
  if (tags === undefined || tags === '*') return false;
  const history = typeof i.history === 'function' ? i.history() : i.history;
  const known = new Set(history.map((h) => h.etag));
  known.add(i.current.etag);
  if (tags.some((t) => known.has(t.tag))) return false;
  return Number(i.ueVersion.trim()) > i.current.version;
}
