import type { UeSnapshot } from '@mcx/ue-host-api';

/** The UEs: state machine state, current system, PLMN, active profile and its version. */
export function UeTable({
  ues,
  selected,
  onSelect,
}: {
  ues: UeSnapshot[];
  selected?: string;
  onSelect: (id: string) => void;
}) {
  return (
    <section className="card" aria-labelledby="ues-title">
      <h2 id="ues-title">UEs</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">UE</th>
            <th scope="col">state</th>
            <th scope="col">system</th>
            <th scope="col">PLMN</th>
            <th scope="col">active profile</th>
          </tr>
        </thead>
        <tbody>
          {ues.map((u) => (
            <tr
              key={u.id}
              className={u.id === selected ? 'selected' : undefined}
              data-testid={`ue-row-${u.id}`}
            >
              <td>
                <button className="select" onClick={() => onSelect(u.id)} aria-pressed={u.id === selected}>
                  {u.id}
                </button>
                <div className="muted">{u.user}</div>
              </td>
              <td>
                <span className={`state ${u.state}`} data-testid={`ue-state-${u.id}`}>
                  {u.state}
                </span>
              </td>
              <td data-testid={`ue-system-${u.id}`}>{u.system ?? '—'}</td>
              <td>{u.plmn}</td>
              <td>
                {u.activeProfile ? (
                  <>
                    {u.activeProfile.name ?? `#${u.activeProfile.index}`}
                    <div className="mono muted">{u.activeProfile.etag ?? ''}</div>
                  </>
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
