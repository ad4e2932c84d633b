import { useState } from 'react';
import type { Message, UeSnapshot } from '@mcx/ue-host-api';
import type { SystemView } from './api.ts';

const LANE_WIDTH = 112;
const ROW = 26;
const TOP = 34;

/** Lanes like the figure of TS 24.484 4.2.2.1.2: the UE, then IdMS/CMS/GMS/MCS of each system. */
function lanesOf(systems: SystemView[]): string[] {
  const suffixes = systems.length
    ? systems.map((s) => (s.id.split('-').pop() ?? s.id).toUpperCase())
    : ['A', 'B'];
  const lanes = ['UE'];
  for (const sfx of suffixes) for (const srv of ['IdMS', 'CMS', 'GMS', 'MCS']) lanes.push(`${srv}-${sfx}`);
  return lanes;
}

/**
 * A live sequence diagram of every HTTP request and SIP message the selected UE sends and receives,
 * and of the server-to-server leg its migration causes (MCS-B → MCS-A, TS 23.280 clause 10.6.3),
 * which the sending MCS reports (`from` set): drawn between the two server lanes.
 */
export function SequenceDiagram({
  ue,
  messages,
  systems,
}: {
  ue?: UeSnapshot;
  messages: Message[];
  systems: SystemView[];
}) {
  const [picked, setPicked] = useState<Message | undefined>();
  const lanes = lanesOf(systems);
  for (const m of messages) for (const l of [m.peer, m.from]) if (l && !lanes.includes(l)) lanes.push(l);
  const ends = (m: Message) => (m.from ? { from: m.from, to: m.peer } : m.direction === 'out' ? { from: 'UE', to: m.peer } : { from: m.peer, to: 'UE' });
  const x = (lane: string) => lanes.indexOf(lane) * LANE_WIDTH + LANE_WIDTH / 2;
  const width = lanes.length * LANE_WIDTH;
  const height = TOP + messages.length * ROW + 16;

  return (
    <section className="card diagram" aria-labelledby="diagram-title">
      <h2 id="diagram-title">Sequence diagram {ue ? `— ${ue.id}` : ''}</h2>
      <p className="muted">Each arrow is one HTTP request/response or SIP message; select one to see it.</p>
      <div className="diagram-scroll">
        <svg
          width={width}
          height={height}
          role="list"
          aria-label={`messages of ${ue?.id ?? 'no UE'}`}
          data-testid="sequence-diagram"
        >
          {lanes.map((lane) => (
            <g key={lane}>
              <text x={x(lane)} y={16} textAnchor="middle" fontWeight="bold">
                {lane}
              </text>
              <line x1={x(lane)} y1={22} x2={x(lane)} y2={height} stroke="#c8ced6" strokeDasharray="3 3" />
            </g>
          ))}
          {messages.map((m, i) => {
            const { from, to } = ends(m);
            const y = TOP + i * ROW + 12;
            const x1 = x(from);
            const x2 = x(to);
            const colour = m.protocol === 'SIP' ? '#8250df' : '#1f6feb';
            const head = x2 > x1 ? -6 : 6;
            const time = m.at.slice(11, 23);
            return (
              <g
                key={m.seq}
                className="arrow"
                role="listitem"
                tabIndex={0}
                aria-label={`${time} ${from} to ${to}: ${m.summary}`}
                data-testid="sequence-arrow"
                onClick={() => setPicked(m)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    setPicked(m);
                  }
                }}
              >
                <line x1={x1} y1={y} x2={x2} y2={y} stroke={colour} strokeWidth={1.5} />
                <polygon points={`${x2},${y} ${x2 + head},${y - 4} ${x2 + head},${y + 4}`} fill={colour} />
                <text className="summary" x={Math.min(x1, x2) + 4} y={y - 4}>
                  {time} {m.summary.length > 70 ? m.summary.slice(0, 69) + '…' : m.summary}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
      {picked ? (
        <div aria-live="polite" data-testid="message-detail">
          <h3>
            #{picked.seq} {picked.protocol}{' '}
            {`${ends(picked).from} → ${ends(picked).to}`} at {picked.at}
          </h3>
          <pre className="body">
            {[
              picked.startLine ?? picked.summary,
              ...Object.entries(picked.headers ?? {}).map(
                ([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`,
              ),
              '',
              picked.body ?? '',
            ].join('\n')}
          </pre>
        </div>
      ) : null}
    </section>
  );
}
