/** `mcx ue ...`: control the simulated UEs of the running ecosystem through the UE host API (docs/ue-host-api.md). */
import { controlTokenOf } from '@mcx/mc-system';
import { UeHostClient, type UeSnapshot } from '@mcx/ue-host-api';
import { load, running } from './options.ts';

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
  const loaded = load(values.config);
  // The control secret of the data directory the running ecosystem uses (docs/ue-host-api.md "Authentication").
  const host = new UeHostClient(running(loaded).ueHost, { token: controlTokenOf(loaded.dataDir).token });
  const [sub, a, b] = positionals;
  const out = (x: unknown, text: () => string) =>
    process.stdout.write((values.json ? JSON.stringify(x, null, 2) : text()) + '\n');
  switch (sub) {
    case 'list': {
      const ues = await host.listUes();
      out(ues, () => ues.map(line).join('\n') || '(no UEs)');
      return 0;
    }
    case 'start': {
      if (!values.user) throw new Error('mcx ue start --user NAME [--id ID] [--plmn PLMN]');
      const ue = await host.createUe({
        user: values.user,
        ...(values.id ? { id: values.id } : {}),
        ...(values.plmn ? { plmn: values.plmn } : {}),
        ...(values.password ? { password: values.password } : {}),
      });
      out(ue, () => line(ue));
      return 0;
    }
    case 'plmn': {
      if (!a || !b) throw new Error('mcx ue plmn ID PLMN');
      const ue = await host.changePlmn(a, b);
      out(ue, () => line(ue));
      return 0;
    }
    case 'show': {
      if (!a) throw new Error('mcx ue show ID');
      const ue = await host.getUe(a);
      out(ue, () => JSON.stringify(ue, null, 2));
      return 0;
    }
    case 'stop': {
      if (!a) throw new Error('mcx ue stop ID');
      await host.deleteUe(a);
      process.stdout.write(`stopped ${a}\n`);
      return 0;
    }
    default:
      throw new Error(
        'mcx ue list | start --user NAME [--id ID] [--plmn PLMN] | plmn ID PLMN | show ID | stop ID',
      );
  }
}
