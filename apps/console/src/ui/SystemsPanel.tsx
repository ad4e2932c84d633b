import type { UeSnapshot } from '@mcx/ue-host-api';
import type { SystemInstancesView, SystemView } from './api.ts';
import { badgeOf } from './health.ts';
import { frontText, instanceAddress, instanceBadge, instanceTitle, ROLES } from './instances.ts';

/**
 * Both MC systems with their servers' health, each instance of the CMS, GMS and MCS (one badge per
 * instance: up/down, its own address, the process it runs in) and the fronts before them (replicas),
 * and the UEs currently configured in each.
 */
export function SystemsPanel({
  systems,
  ues,
  reachable = true,
  instances = [],
}: {
  systems: SystemView[];
  ues: UeSnapshot[];
  reachable?: boolean;
  instances?: SystemInstancesView[];
}) {
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
            <SystemInstances system={s.id} name={s.name} view={instances.find((x) => x.id === s.id)} reachable={reachable} />
            <p className="muted" data-testid={`ues-in-${s.id}`}>
              UEs configured here: {here.length ? here.map((u) => u.id).join(', ') : 'none'}
            </p>
          </section>
        );
      })}
    </div>
  );
}

function SystemInstances({ system, name, view, reachable }: { system: string; name: string; view: SystemInstancesView | undefined; reachable: boolean }) {
  if (!view || view.instances.length === 0) return null;
  return (
    <>
      <ul className="instances" aria-label={`Instances of ${name}`} data-testid={`instances-${system}`}>
        {ROLES.map((role) => {
          const list = view.instances.filter((i) => i.role === role);
          if (list.length === 0) return null;
          return (
            <li key={role}>
              <span className="instance-role">{role.toUpperCase()}</span>
              {list.map((i) => {
                const badge = instanceBadge(i, reachable);
                return (
                  <span
                    key={i.replica}
                    className="instance"
                    title={reachable ? instanceTitle(i) : 'the ecosystem does not answer'}
                    data-testid={`instance-${system}-${role}-${i.replica}`}
                    data-instance-health={badge}
                  >
                    <span className={`dot ${badge}`} aria-hidden="true" />
                    {i.replica} <span className="muted">{badge}</span> {instanceAddress(i)} · {i.process}
                  </span>
                );
              })}
            </li>
          );
        })}
      </ul>
      {view.fronts.length > 0 ? (
        <ul className="fronts muted" aria-label={`Fronts of ${name}`} data-testid={`fronts-${system}`}>
          {view.fronts.map((f) => (
            <li key={`${f.kind}-${f.role}`} title={frontText(f)} data-testid={`front-${system}-${f.kind}-${f.role}`}>
              {f.kind === 'haproxy' ? 'HAProxy' : 'Kamailio'} {f.role.toUpperCase()} {f.address}
              {f.backends
                ? f.backends.map((b) => (
                    <span key={b.replica} data-front-health={reachable ? (b.up ? 'up' : 'down') : 'unknown'}>
                      <span className={`dot ${reachable ? (b.up ? 'up' : 'down') : 'unknown'}`} aria-hidden="true" />
                      {b.replica} {reachable ? (b.up ? 'up' : 'down') : 'unknown'}
                    </span>
                  ))
                : ` (${f.detail ?? 'view not available here'})`}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
