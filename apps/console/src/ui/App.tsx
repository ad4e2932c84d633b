import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Message, UeSnapshot } from '@mcx/ue-host-api';
import { api, type SystemInstancesView, type SystemView } from './api.ts';
import { SystemsPanel } from './SystemsPanel.tsx';
import { UeTable } from './UeTable.tsx';
import { UeDetail } from './UeDetail.tsx';
import { SequenceDiagram } from './SequenceDiagram.tsx';
import { ECOSYSTEM_DOWN_TEXT, HEALTH_POLL_INTERVAL_MS, pollHealth } from './health.ts';
import { GroupsPanel } from './GroupsPanel.tsx';
import { pollInstances } from './instances.ts';

const MAX_MESSAGES = 400;

/** The console: both MC systems, the UEs, the selected UE's details and its live sequence diagram. */
export function App() {
  const [systems, setSystems] = useState<SystemView[]>([]);
  const [instances, setInstances] = useState<SystemInstancesView[]>([]);
  const [ues, setUes] = useState<Map<string, UeSnapshot>>(new Map());
  const [selected, setSelected] = useState<string | undefined>();
  const [messages, setMessages] = useState<Message[]>([]);
  const [connection, setConnection] = useState<'connecting' | 'live' | 'lost'>('connecting');

  const [reachable, setReachable] = useState<{ ok: boolean; reason?: string }>({ ok: true });

  // Health: a poll with a deadline; a failed poll means the ecosystem (which runs the console server) is gone.
  const refreshSystems = useCallback(() => {
    void pollHealth().then((poll) => {
      if (poll.kind === 'login') return window.location.assign('login');
      if (poll.kind === 'up') {
        setSystems(poll.systems);
        setReachable({ ok: true });
      } else setReachable({ ok: false, reason: poll.reason });
    });
    // The instances (issue #17) with the same period; a failed poll keeps the last list (greyed by `reachable`).
    void pollInstances().then((list) => {
      if (list) setInstances(list);
    });
  }, []);

  useEffect(() => {
    refreshSystems();
    const timer = setInterval(refreshSystems, HEALTH_POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [refreshSystems]);

  useEffect(() => {
    api.ues().then(
      (list) => {
        setUes(new Map(list.map((u) => [u.id, u])));
        setSelected((s) => s ?? list[0]?.id);
      },
      () => undefined,
    );
    const events = new EventSource('api/ue/api/events');
    events.onopen = () => setConnection('live');
    events.onerror = () => setConnection('lost');
    events.addEventListener('ue', (e) => {
      const ue = JSON.parse((e as MessageEvent<string>).data) as UeSnapshot;
      setUes((prev) => new Map(prev).set(ue.id, ue));
      setSelected((s) => s ?? ue.id);
    });
    events.addEventListener('removed', (e) => {
      const { id } = JSON.parse((e as MessageEvent<string>).data) as { id: string };
      setUes((prev) => {
        const next = new Map(prev);
        next.delete(id);
        return next;
      });
    });
    events.addEventListener('message', (e) => {
      const m = JSON.parse((e as MessageEvent<string>).data) as Message;
      setMessages((prev) =>
        prev.length > 0 && prev[0]!.ue !== m.ue ? prev : [...prev, m].slice(-MAX_MESSAGES),
      );
    });
    return () => events.close();
  }, []);

  // Load the selected UE's history, then follow the stream (filtered to that UE).
  useEffect(() => {
    if (!selected) return;
    let cancelled = false;
    setMessages([]);
    api.messages(selected).then(
      (list) => {
        if (!cancelled)
          setMessages((live) =>
            mergeMessages(
              list,
              live.filter((m) => m.ue === selected),
            ).slice(-MAX_MESSAGES),
          );
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [selected]);

  const ueList = useMemo(() => [...ues.values()].sort((a, b) => a.id.localeCompare(b.id)), [ues]);
  const current = selected ? ues.get(selected) : undefined;
  const shown = useMemo(() => messages.filter((m) => m.ue === selected), [messages, selected]);

  // Two panes (our choice, issue #16 "Done when"): the left one scrolls on its own (systems, UEs, the
  // selected UE and its profile form, groups); the right one holds the diagram at the viewport's
  // height, so a NOTIFY caused by a save in the form arrives in view beside it.
  return (
    <div className="app">
      <header>
        <h1>MCX configuration ecosystem</h1>
        <span className="status" role="status" aria-live="polite">
          event stream: {connection} · {ueList.length} UE{ueList.length === 1 ? '' : 's'}
        </span>
      </header>
      {!reachable.ok ? (
        <p className="banner" role="alert" data-testid="ecosystem-down">
          {ECOSYSTEM_DOWN_TEXT} <span className="muted">({reachable.reason})</span>
        </p>
      ) : null}
      <main>
        <div className="pane pane-left" data-testid="pane-left">
          <SystemsPanel systems={systems} ues={ueList} reachable={reachable.ok} instances={instances} />
          <UeTable ues={ueList} selected={selected} onSelect={setSelected} systems={systems} />
          {current ? (
            <UeDetail ue={current} systems={systems} />
          ) : (
            <section className="card">No UE selected.</section>
          )}
          <GroupsPanel systems={systems} />
        </div>
        <div className="pane pane-right" data-testid="pane-right">
          <SequenceDiagram ue={current} messages={shown} systems={systems} />
        </div>
      </main>
    </div>
  );
}

function mergeMessages(a: Message[], b: Message[]): Message[] {
  const bySeq = new Map<number, Message>();
  for (const m of [...a, ...b]) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}
