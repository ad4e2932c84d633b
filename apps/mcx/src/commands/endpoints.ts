/** `mcx endpoints [--json]`: every endpoint of the running ecosystem. */
import type { RuntimeEndpoints } from '../ecosystem/runtime-file.ts';
import { load, running } from './options.ts';

export function formatEndpoints(ep: RuntimeEndpoints): string {
  const lines = [`console   ${ep.console}`, `UE host   ${ep.ueHost}`];
  for (const s of ep.systems) {
    lines.push('', `${s.id} (${s.role}, PLMN ${s.plmns.join(', ')}) ${s.name}`);
    lines.push(`  IdMS    ${s.idms.issuer}`);
    lines.push(`  CMS     ${s.cms.xcapRoot}   ${s.cms.sip}   ${s.cms.sipTcp}`);
    lines.push(`  GMS     ${s.gms.xcapRoot}   ${s.gms.sip}   ${s.gms.sipTcp}`);
    lines.push(`  MCS     ${s.mcs.sip}   ${s.mcs.sipTcp}`);
    lines.push(`  admin   ${s.admin}   (GMS ${s.gmsAdmin})`);
    if (s.instances?.length) {
      lines.push('  instances');
      for (const i of s.instances) {
        const where = [i.http, i.sip].filter(Boolean).join('   ');
        lines.push(`    ${i.role.toUpperCase()} ${i.replica}   ${where}   (${i.process}${i.pid !== undefined ? `, pid ${i.pid}` : ''})`);
      }
    }
    if (s.fronts?.length) {
      lines.push('  fronts');
      for (const f of s.fronts) lines.push(`    ${f.role.toUpperCase()} ${f.kind === 'haproxy' ? 'HAProxy (HTTP)' : 'Kamailio (SIP)'}   ${f.address}`);
    }
  }
  return lines.join('\n');
}

export function endpointsCommand(args: { config?: string; json?: boolean }): void {
  const runtime = running(load(args.config));
  if (args.json) {
    const { console: consoleUrl, ueHost, systems } = runtime;
    process.stdout.write(JSON.stringify({ console: consoleUrl, ueHost, systems }, null, 2) + '\n');
  } else {
    process.stdout.write(formatEndpoints(runtime) + '\n');
  }
}
