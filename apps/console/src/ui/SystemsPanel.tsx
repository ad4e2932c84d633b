import type { UeSnapshot } from '@mcx/ue-host-api';
import type { SystemView } from './api.ts';
import { badgeOf } from './health.ts';

/** Both MC systems with their servers' health and the UEs currently configured in each. */
export function SystemsPanel({ systems, ues, reachable = true }: { systems: SystemView[]; ues: UeSnapshot[]; reachable?: boolean }) {
  return (
    <div className="systems" aria-label="MC systems">
      {systems.map((s) => {
        const here = ues.filter((u) => u.system === s.id);
        return (
          <section key={s.id} className={`card system ${s.id}`} aria-labelledby={`sys-${s.id}`}>
            <h2 id={`sys-${s.id}`}>
              {s.name}{' '}
              <span className="role">
                {/* The name may say the role already ("MC system A (primary)"): say it once. */}
                ({s.name.includes(`(${s.role})`) ? '' : `${s.role}, `}PLMN {s.plmns.join(', ')})
              </span>
            </h2>
            <ul className="servers">
              {s.servers.map((srv) => {
                const badge = badgeOf(srv, reachable);
                return (
                  <li key={srv.name} title={reachable ? (srv.detail ?? srv.url) : 'the ecosystem does not answer'} data-testid={`health-${s.id}-${srv.name}`} data-health={badge}>
                    <span className={`dot ${badge}`} aria-hidden="true" />
                    {srv.name} <span className="muted">{badge}</span>
                  </li>
                );
              })}
            </ul>
            <p className="muted" data-testid={`ues-in-${s.id}`}>
              UEs configured here: {here.length ? here.map((u) => u.id).join(', ') : 'none'}
            </p>
          </section>
        );
      })}
    </div>
  );
}
