import { useEffect, useId, useState } from 'react';
import type { UeSnapshot } from '@mcx/ue-host-api';
import { api, type SystemView } from './api.ts';
import { ProfileEditor } from './ProfileEditor.tsx';

/** One UE: change its registered PLMN, see its document copies, edit its active profile as an admin. */
export function UeDetail({ ue, systems }: { ue: UeSnapshot; systems: SystemView[] }) {
  const plmns = systems.flatMap((s) => s.plmns.map((p) => ({ plmn: p, system: s })));
  const [plmn, setPlmn] = useState(ue.plmn);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<string | undefined>();
  const plmnId = useId();

  useEffect(() => setPlmn(ue.plmn), [ue.id, ue.plmn]);

  async function changePlmn(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setResult(undefined);
    try {
      await api.changePlmn(ue.id, plmn);
      setResult(`registered PLMN set to ${plmn}`);
    } catch (err) {
      setResult(`PLMN change refused: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="ue-detail-title">
      <h2 id="ue-detail-title">
        {ue.id} <span className="muted">({ue.mcpttId ?? ue.user}{ue.primaryMcpttId && ue.mcpttId !== ue.primaryMcpttId ? `, assigned by ${ue.system} to ${ue.primaryMcpttId}` : ''})</span>
      </h2>
      <p>
        State <span className={`state ${ue.state}`}>{ue.state}</span> in{' '}
        <strong>{ue.system ?? 'no system'}</strong>
        {ue.migrated ? ' (migrated)' : ''}, registered PLMN <strong>{ue.plmn}</strong>
      </p>
      {ue.lastEvent ? (
        <p className="muted" data-testid="ue-last-event">
          {ue.lastEvent.text}
        </p>
      ) : null}
      {ue.error ? (
        <p className="error" role="alert">
          {ue.error.step ? `${ue.error.step}: ` : ''}
          {ue.error.reason}
        </p>
      ) : null}
      <form className="inline" onSubmit={changePlmn} aria-label="PLMN change">
        <div className="field">
          <label htmlFor={plmnId}>Registered PLMN</label>
          <select id={plmnId} value={plmn} onChange={(e) => setPlmn(e.target.value)}>
            {plmns.map(({ plmn: p, system }) => (
              <option key={p} value={p}>
                {p} ({system.id})
              </option>
            ))}
            <option value="99999">99999 (no MC system)</option>
          </select>
        </div>
        <button className="primary" type="submit" disabled={busy || plmn === ue.plmn}>
          Change PLMN
        </button>
      </form>
      {result ? <p role="status">{result}</p> : null}
      <details>
        <summary>
          Local copies ({(ue.documents ?? []).length}, confidentiality and integrity protected)
        </summary>
        <table>
          <thead>
            <tr>
              <th scope="col">system</th>
              <th scope="col">document</th>
              <th scope="col">ETag (version)</th>
            </tr>
          </thead>
          <tbody>
            {(ue.documents ?? []).map((d) => (
              <tr key={`${d.system}:${d.selector}`}>
                <td>{d.system ?? '—'}</td>
                <td className="mono">{d.selector}</td>
                <td className="mono">{d.etag ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      {ue.system && ue.activeProfile ? (
        <ProfileEditor
          key={`${ue.system}:${ue.activeProfile.selector}`}
          system={ue.system}
          selector={ue.activeProfile.selector}
        />
      ) : null}
    </section>
  );
}
