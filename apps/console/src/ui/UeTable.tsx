import { useEffect, useId, useState } from 'react';
import type { UeSnapshot } from '@mcx/ue-host-api';
import { api, type ConsoleUser, type SystemView } from './api.ts';

/** The UEs: state machine state, current system, PLMN, active profile and its version. */
export function UeTable({
  ues,
  selected,
  onSelect,
  systems = [],
}: {
  ues: UeSnapshot[];
  selected?: string;
  onSelect: (id: string) => void;
  systems?: SystemView[];
}) {
  const [status, setStatus] = useState<string | undefined>();
  async function stop(id: string) {
    setStatus(undefined);
    try {
      await api.stopUe(id);
      setStatus(`${id} stopped`);
    } catch (err) {
      setStatus(`cannot stop ${id}: ${(err as Error).message}`);
    }
  }
  return (
    <section className="card" aria-labelledby="ues-title">
      <h2 id="ues-title">UEs</h2>
      <StartUeForm systems={systems} onStarted={(ue) => { setStatus(`${ue.id} started for ${ue.user}`); onSelect(ue.id); }} onError={setStatus} />
      {status ? <p role="status" data-testid="ue-table-status">{status}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">UE</th>
            <th scope="col">state</th>
            <th scope="col">system</th>
            <th scope="col">PLMN</th>
            <th scope="col">active profile</th>
            <th scope="col"><span className="visually-hidden">actions</span></th>
          </tr>
        </thead>
        <tbody>
          {ues.map((u) => (
            <tr
              key={u.id}
              className={u.id === selected ? 'selected' : undefined}
              data-testid={`ue-row-${u.id}`}
            >
              <td className="ue-id">
                <button className="select" onClick={() => onSelect(u.id)} aria-pressed={u.id === selected} title={u.id}>
                  {u.id}
                </button>
                <div className="muted" title={u.user}>{u.user}</div>
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
              <td>
                <button type="button" onClick={() => void stop(u.id)} data-testid={`ue-stop-${u.id}`} title={`Stop ${u.id} (un-subscribe, de-register)`}>
                  Stop
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Starts a UE for any user of the ecosystem (UE host API POST /api/ues), optionally on a PLMN. */
function StartUeForm({
  systems,
  onStarted,
  onError,
}: {
  systems: SystemView[];
  onStarted: (ue: UeSnapshot) => void;
  onError: (text: string) => void;
}) {
  const [users, setUsers] = useState<ConsoleUser[]>([]);
  const [user, setUser] = useState('');
  const [plmn, setPlmn] = useState('');
  const [id, setId] = useState('');
  const [busy, setBusy] = useState(false);
  const userId = useId();
  const plmnId = useId();
  const idId = useId();
  useEffect(() => {
    api.users().then(
      (list) => {
        setUsers(list);
        setUser((u) => u || list[0]?.username || '');
      },
      () => undefined,
    );
  }, []);
  async function start(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      onStarted(await api.startUe(user, plmn || undefined, id.trim() || undefined));
      setId('');
    } catch (err) {
      onError(`cannot start a UE for ${user}: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="inline" onSubmit={start} aria-label="Start a UE">
      <div className="field">
        <label htmlFor={userId}>User</label>
        <select id={userId} value={user} onChange={(e) => setUser(e.target.value)}>
          {users.map((u) => (
            <option key={u.username} value={u.username}>
              {u.username} ({u.home})
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={plmnId}>Start on PLMN</label>
        <select id={plmnId} value={plmn} onChange={(e) => setPlmn(e.target.value)}>
          <option value="">home PLMN</option>
          {systems.flatMap((s) =>
            s.plmns.map((p) => (
              <option key={p} value={p}>
                {p} ({s.id})
              </option>
            )),
          )}
        </select>
      </div>
      <div className="field">
        <label htmlFor={idId}>UE id (optional)</label>
        <input id={idId} type="text" value={id} onChange={(e) => setId(e.target.value)} placeholder="ue-…" size={10} />
      </div>
      <button className="primary" type="submit" disabled={busy || !user}>
        Start UE
      </button>
    </form>
  );
}
