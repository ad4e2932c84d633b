/** Types of the console's data (docs/ue-host-api.md and the console server's /api/systems). */
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

export interface UeView {
  id: string;
  user: string;
  mcpttId?: string;
  state: string;
  system: string | null;
  homeSystem?: string;
  plmn: string;
  migrated?: boolean;
  activeProfile?: { index: number; name?: string; selector: string; etag?: string } | null;
  documents?: { system?: string; selector: string; etag?: string; kind?: string; updatedAt?: string }[];
  lastEvent?: { at: string; text: string } | null;
  error?: { step?: string; reason: string; at?: string } | null;
}

export interface MessageView {
  seq: number;
  ue: string;
  at: string;
  direction: 'out' | 'in';
  protocol: 'HTTP' | 'SIP';
  peer: string;
  summary: string;
  startLine?: string;
  headers?: Record<string, string | string[]>;
  body?: string;
}

export interface AdminDocument {
  selector: string;
  etag: string;
  version?: number;
  body: string;
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) {
    const text = await res.text();
    throw new Error(`${res.status} ${res.statusText}${text ? `: ${text.slice(0, 400)}` : ''}`);
  }
  return (await res.json()) as T;
}

export const api = {
  systems: () => fetch('api/systems').then((r) => json<SystemView[]>(r)),
  ues: () => fetch('api/ue/api/ues').then((r) => json<UeView[]>(r)),
  messages: (ue: string) =>
    fetch(`api/ue/api/ues/${encodeURIComponent(ue)}/messages`).then((r) => json<MessageView[]>(r)),
  changePlmn: (ue: string, plmn: string) =>
    fetch(`api/ue/api/ues/${encodeURIComponent(ue)}/plmn`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ plmn }),
    }).then((r) => json<UeView>(r)),
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
