/** `mcx ue ...`: control the simulated UEs of the running ecosystem through the UE host API (docs/ue-host-api.md). */
import { load, running } from './options.ts';

interface UeSnapshot {
  id: string;
  user: string;
  state: string;
  system: string | null;
  plmn: string;
  activeProfile?: { index: number; name?: string; etag?: string } | null;
  error?: { step?: string; reason: string } | null;
  lastEvent?: { text: string } | null;
}

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

function line(u: UeSnapshot): string {
  const profile = u.activeProfile
    ? `${u.activeProfile.name ?? '#' + u.activeProfile.index} ${u.activeProfile.etag ?? ''}`
    : '-';
  const why = u.error
    ? `  ! ${u.error.step ? u.error.step + ': ' : ''}${u.error.reason}`
    : u.lastEvent
      ? `  (${u.lastEvent.text})`
      : '';
  return `${u.id.padEnd(16)} ${u.user.padEnd(10)} ${u.state.padEnd(22)} ${(u.system ?? '-').padEnd(8)} ${u.plmn.padEnd(6)} ${profile}${why}`;
}

export async function ueCommand(
  positionals: string[],
  values: { config?: string; user?: string; id?: string; plmn?: string; json?: boolean; password?: string },
): Promise<number> {
  const base = running(load(values.config)).ueHost;
  const [sub, a, b] = positionals;
  const out = (x: unknown, text: () => string) =>
    process.stdout.write((values.json ? JSON.stringify(x, null, 2) : text()) + '\n');
  switch (sub) {
    case 'list': {
      const ues = await call<UeSnapshot[]>(`${base}/api/ues`);
      out(ues, () => ues.map(line).join('\n') || '(no UEs)');
      return 0;
    }
    case 'start': {
      if (!values.user) throw new Error('mcx ue start --user NAME [--id ID] [--plmn PLMN]');
      const ue = await call<UeSnapshot>(`${base}/api/ues`, {
        method: 'POST',
        body: JSON.stringify({
          user: values.user,
          ...(values.id ? { id: values.id } : {}),
          ...(values.plmn ? { plmn: values.plmn } : {}),
          ...(values.password ? { password: values.password } : {}),
        }),
      });
      out(ue, () => line(ue));
      return 0;
    }
    case 'plmn': {
      if (!a || !b) throw new Error('mcx ue plmn ID PLMN');
      const ue = await call<UeSnapshot>(`${base}/api/ues/${encodeURIComponent(a)}/plmn`, {
        method: 'POST',
        body: JSON.stringify({ plmn: b }),
      });
      out(ue, () => line(ue));
      return 0;
    }
    case 'show': {
      if (!a) throw new Error('mcx ue show ID');
      const ue = await call<UeSnapshot>(`${base}/api/ues/${encodeURIComponent(a)}`);
      out(ue, () => JSON.stringify(ue, null, 2));
      return 0;
    }
    case 'stop': {
      if (!a) throw new Error('mcx ue stop ID');
      await call(`${base}/api/ues/${encodeURIComponent(a)}`, { method: 'DELETE' });
      process.stdout.write(`stopped ${a}\n`);
      return 0;
    }
    default:
      throw new Error(
        'mcx ue list | start --user NAME [--id ID] [--plmn PLMN] | plmn ID PLMN | show ID | stop ID',
      );
  }
}
