/** Types of the console's data: the console server's /api/systems and admin documents; the UE host's are @mcx/ue-host-api's (docs/ue-host-api.md). */
import type { Message, UeSnapshot } from '@mcx/ue-host-api';

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
}

async function json<T>(res: Response): Promise<T> {
  // The session is gone (e.g. the console restarted): back to the login form.
  if (res.status === 401) window.location.assign('login');
  if (!res.ok) {
    const text = await res.text();
    throw new Error(`${res.status} ${res.statusText}${text ? `: ${text.slice(0, 400)}` : ''}`);
  }
  return (await res.json()) as T;
}

export const api = {
  systems: () => fetch('api/systems').then((r) => json<SystemView[]>(r)),
  ues: () => fetch('api/ue/api/ues').then((r) => json<UeSnapshot[]>(r)),
  messages: (ue: string) =>
    fetch(`api/ue/api/ues/${encodeURIComponent(ue)}/messages`).then((r) => json<Message[]>(r)),
  changePlmn: (ue: string, plmn: string) =>
    fetch(`api/ue/api/ues/${encodeURIComponent(ue)}/plmn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ plmn }),
    }).then((r) => json<UeSnapshot>(r)),
  getDocument: (system: string, selector: string) =>
    fetch(`api/admin/${encodeURIComponent(system)}/document?selector=${encodeURIComponent(selector)}`).then(
      (r) => json<AdminDocument>(r),
    ),
  putDocument: (system: string, selector: string, body: string, etag: string) =>
    fetch(`api/admin/${encodeURIComponent(system)}/document?selector=${encodeURIComponent(selector)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ body, etag }),
    }).then((r) => json<AdminDocument>(r)),
};
