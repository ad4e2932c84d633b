import { useCallback, useEffect, useId, useState } from 'react';
import { api, type ConsoleGroup, type ConsoleUser, type SystemView } from './api.ts';

/**
 * Group membership of each system's GMS (its admin API: add/remove member, TS 24.481 group
 * documents); the GMS notifies the change to the members' UEs that subscribed to the group.
 */
export function GroupsPanel({ systems }: { systems: SystemView[] }) {
  const [groups, setGroups] = useState<Record<string, ConsoleGroup[]>>({});
  const [users, setUsers] = useState<ConsoleUser[]>([]);
  const [status, setStatus] = useState<string | undefined>();
  const ids = systems.map((s) => s.id).join(',');
  const load = useCallback(async () => {
    const entries = await Promise.all(
      ids
        .split(',')
        .filter(Boolean)
        .map(async (id) => [id, await api.groups(id).catch(() => [])] as const),
    );
    setGroups(Object.fromEntries(entries));
  }, [ids]);
  useEffect(() => {
    void load();
    api.users().then(setUsers, () => undefined);
  }, [load]);

  async function change(system: string, groupId: string, mcpttId: string, add: boolean) {
    setStatus(undefined);
    try {
      if (add) await api.addMember(system, groupId, mcpttId);
      else await api.removeMember(system, groupId, mcpttId);
      setStatus(`${mcpttId} ${add ? 'added to' : 'removed from'} ${groupId}`);
    } catch (err) {
      setStatus(`refused: ${(err as Error).message}`);
    }
    await load();
  }

  return (
    <section className="card groups" aria-labelledby="groups-title">
      <h2 id="groups-title">Groups</h2>
      {status ? <p role="status">{status}</p> : null}
      {systems.map((s) => (
        <div key={s.id}>
          <h3>{s.id}</h3>
          {(groups[s.id] ?? []).length === 0 ? <p className="muted">no groups</p> : null}
          {(groups[s.id] ?? []).map((g) => (
            <Group key={g.groupId} system={s.id} group={g} users={users} onChange={change} />
          ))}
        </div>
      ))}
    </section>
  );
}

function Group({
  system,
  group,
  users,
  onChange,
}: {
  system: string;
  group: ConsoleGroup;
  users: ConsoleUser[];
  onChange: (system: string, groupId: string, mcpttId: string, add: boolean) => Promise<void>;
}) {
  const candidates = users.map((u) => u.mcpttId).filter((id) => !group.members.includes(id));
  const [pick, setPick] = useState('');
  const pickId = useId();
  const name = group.displayName ?? group.groupId;
  return (
    <div data-testid={`group-${group.groupId}`}>
      <p>
        <strong>{name}</strong> <span className="mono muted">{group.groupId}</span>
      </p>
      <ul aria-label={`Members of ${name}`}>
        {group.members.map((m) => (
          <li key={m}>
            <span className="mono">{m}</span>{' '}
            <button type="button" onClick={() => void onChange(system, group.groupId, m, false)} aria-label={`Remove ${m} from ${name}`}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form
        className="inline"
        aria-label={`Add a member to ${name}`}
        onSubmit={(e) => {
          e.preventDefault();
          const who = pick || candidates[0];
          if (who) void onChange(system, group.groupId, who, true).then(() => setPick(''));
        }}
      >
        <div className="field">
          <label htmlFor={pickId}>New member of {name}</label>
          <select id={pickId} value={pick || candidates[0] || ''} onChange={(e) => setPick(e.target.value)}>
            {candidates.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" disabled={candidates.length === 0}>
          Add member
        </button>
      </form>
    </div>
  );
}
