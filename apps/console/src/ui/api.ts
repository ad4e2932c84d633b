/** Types of the console's data: the console server's /api/systems and admin documents; the UE host's are @mcx/ue-host-api's (docs/ue-host-api.md). */
import type { Message, UeSnapshot } from '@mcx/ue-host-api';
import type { ConsoleGroup, ConsoleUser, FrontHealth, InstanceHealth, SystemInstances } from '../server/index.ts';
import { ECOSYSTEM_DOWN_TEXT } from './health.ts';

export interface ServerHealth {
  name: 'IdMS' | 'CMS' | 'GMS' | 'MCS';
  url: string;
  up: boolean;
  detail?: string;
}

export interface SystemView {
  id: string;
  name: string;
  role: 'primary' | 'partner';
  plmns: string[];
  domain: string;
  servers: ServerHealth[];
}

export interface AdminDocument {
  selector: string;
  etag: string;
  version?: number;
  body: string;
  /** Kept versions, oldest first (the current one included). */
  history?: { version: number; etag: string; createdAt: string }[];
  /** The save stored nothing new: the body equals the stored one. */
  unchanged?: boolean;
}

/** A user of the ecosystem file (the console server's /api/users) and a GMS group: the server's types. */
export type { ConsoleGroup, ConsoleUser };

/** One system of the console server's /api/instances (issue #17): its instances and fronts with their health. */
export type SystemInstancesView = { id: string; name: string } & SystemInstances;
export type { FrontHealth, InstanceHealth };

/**
 * A refusal of the console server or an upstream API, with what it said: `error`/`detail` of our
 * JSON errors (`{ error, detail }` or `{ error, error_description }`), else the text.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string | undefined,
    readonly detail: string,
  ) {
    super(`${status}${error ? ` ${error}` : ''}: ${detail}`);
  }
}

function apiError(status: number, text: string): ApiError {
  try {
    const j = JSON.parse(text) as { error?: unknown; detail?: unknown; error_description?: unknown };
    const detail = typeof j.detail === 'string' ? j.detail : typeof j.error_description === 'string' ? j.error_description : text;
    return new ApiError(status, typeof j.error === 'string' ? j.error : undefined, detail);
  } catch {
    return new ApiError(status, undefined, text.slice(0, 400) || `HTTP ${status}`);
  }
}

async function json<T>(res: Response): Promise<T> {
  // The session is gone (e.g. the console restarted): back to the login form.
  if (res.status === 401) window.location.assign('login');
  if (!res.ok) throw apiError(res.status, await res.text());
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/**
 * fetch, saying plainly what a network failure means here: the console server runs inside
 * `mcx up`, so no answer at all means the ecosystem is not running (not "Failed to fetch").
 */
function call(input: string, init?: RequestInit): Promise<Response> {
  return fetch(input, init).catch((err: unknown) => {
    throw new Error(`${ECOSYSTEM_DOWN_TEXT} (${(err as Error).message})`);
  });
}

const send = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
const q = encodeURIComponent;

export const api = {
  systems: () => call('api/systems').then((r) => json<SystemView[]>(r)),
  ues: () => call('api/ue/api/ues').then((r) => json<UeSnapshot[]>(r)),
  messages: (ue: string) =>
    call(`api/ue/api/ues/${encodeURIComponent(ue)}/messages`).then((r) => json<Message[]>(r)),
  changePlmn: (ue: string, plmn: string) =>
    call(`api/ue/api/ues/${encodeURIComponent(ue)}/plmn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ plmn }),
    }).then((r) => json<UeSnapshot>(r)),
  getDocument: (system: string, selector: string) =>
    call(`api/admin/${encodeURIComponent(system)}/document?selector=${encodeURIComponent(selector)}`).then(
      (r) => json<AdminDocument>(r),
    ),
  putDocument: (system: string, selector: string, body: string, etag: string) =>
    call(`api/admin/${encodeURIComponent(system)}/document?selector=${encodeURIComponent(selector)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ body, etag }),
    }).then((r) => json<AdminDocument>(r)),
  getVersion: (system: string, selector: string, version: number) =>
    call(`api/admin/${q(system)}/document/version?selector=${q(selector)}&version=${version}`).then((r) => json<AdminDocument>(r)),
  users: () => call('api/users').then((r) => json<ConsoleUser[]>(r)),
  /** Starts a UE for a user (UE host API POST /api/ues). */
  startUe: (user: string, plmn?: string, id?: string) =>
    call('api/ue/api/ues', send('POST', { user, ...(plmn ? { plmn } : {}), ...(id ? { id } : {}) })).then((r) => json<UeSnapshot>(r)),
  /** Stops a UE (UE host API DELETE /api/ues/:id: un-subscribes, de-registers). */
  stopUe: (id: string) => call(`api/ue/api/ues/${q(id)}`, send('DELETE')).then((r) => json<void>(r)),
  groups: (system: string) => call(`api/admin/${q(system)}/groups`).then((r) => json<ConsoleGroup[]>(r)),
  addMember: (system: string, groupId: string, mcpttId: string) =>
    call(`api/admin/${q(system)}/groups/${q(groupId)}/members/${q(mcpttId)}`, send('PUT')).then((r) => json<void>(r)),
  removeMember: (system: string, groupId: string, mcpttId: string) =>
    call(`api/admin/${q(system)}/groups/${q(groupId)}/members/${q(mcpttId)}`, send('DELETE')).then((r) => json<void>(r)),
};
