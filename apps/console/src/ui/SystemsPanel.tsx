import type { UeSnapshot } from '@mcx/ue-host-api';
import type { SystemView } from './api.ts';

/** Both MC systems with their servers' health and the UEs currently configured in each. */
export function SystemsPanel({ systems, ues }: { systems: SystemView[]; ues: UeSnapshot[] }) {
  return (
    <div className="systems" aria-label="MC systems">
      {systems.map((s) => {
        const here = ues.filter((u) => u.system === s.id);
        return (
          <section key={s.id} className={`card system ${s.id}`} aria-labelledby={`sys-${s.id}`}>
            <h2 id={`sys-${s.id}`}>
              {s.name}{' '}
              <span className="role">
                ({s.role}, PLMN {s.plmns.join(', ')})
              </span>
            </h2>
            <ul className="servers">
              {s.servers.map((srv) => (
                <li key={srv.name} title={srv.detail ?? srv.url}>
                  <span className={`dot ${srv.up ? 'up' : 'down'}`} aria-hidden="true" />
                  {srv.name} <span className="muted">{srv.up ? 'up' : 'down'}</span>
                </li>
              ))}
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
