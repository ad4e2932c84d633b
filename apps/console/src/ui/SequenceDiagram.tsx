import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Message, UeSnapshot } from '@mcx/ue-host-api';
import { api, type SystemView } from './api.ts';
import { bandsOf, classify, exportText, lanesOf, layout, marksOf, type Arrow } from './diagram-model.ts';
import { download, diagramSvg } from './diagram-export.ts';

/** Height of the pinned lane names (px). */
const HEAD = 24;
/** A lane's width follows the box's width, within these bounds (px, our choice). */
const LANE_MIN = 72;
const LANE_MAX = 140;
/** Within this distance of the bottom (px) the diagram counts as following the newest message. */
const FOLLOW_SLACK = 24;

const colourOf = (a: Arrow) => (a.retransmission ? '#8c959f' : a.message.protocol === 'SIP' ? '#8250df' : '#1f6feb');
const timeOf = (m: Message) => m.at.slice(11, 23);

/**
 * A live sequence diagram of every HTTP request and SIP message the selected UE sends and receives,
 * and of the server-to-server leg its migration causes (MCS-B → MCS-A, TS 23.280 clause 10.6.3),
 * which the sending MCS reports (`from` set): drawn between the two server lanes.
 *
 * It follows the newest message unless the person scrolled back (then "Jump to latest"); the lane
 * names stay pinned; a procedure's messages (a migration) sit in a band per TS 24.484 step, as the
 * UE host tagged them; teardown is dashed and retransmissions greyed (diagram-model.ts); the picked
 * message's full text is shown beside the diagram.
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
  const [pickedSeq, setPickedSeq] = useState<number | undefined>();
  const [following, setFollowing] = useState(true);
  const [leftAt, setLeftAt] = useState<number | undefined>();
  const [boxWidth, setBoxWidth] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<SVGSVGElement>(null);
  const bodyRef = useRef<SVGSVGElement>(null);
  const followingRef = useRef(true);
  const pickedRef = useRef<number | undefined>(undefined);
  pickedRef.current = pickedSeq;

  const systemIds = systems.map((s) => s.id).join(',');
  const lanes = useMemo(() => lanesOf(systemIds ? systemIds.split(',') : [], messages), [systemIds, messages]);
  const arrows = useMemo(() => classify(messages), [messages]);
  const bands = useMemo(() => bandsOf(messages), [messages]);
  const { ys, boxes, height } = useMemo(() => layout(messages.length, bands), [messages.length, bands]);
  const laneWidth = Math.max(LANE_MIN, Math.min(LANE_MAX, Math.floor((boxWidth - 2) / lanes.length) || LANE_MAX));
  const width = lanes.length * laneWidth;
  const x = (lane: string) => lanes.indexOf(lane) * laneWidth + laneWidth / 2;
  const newest = messages.at(-1)?.seq;

  // Another UE: start following its newest message, nothing picked.
  useEffect(() => {
    followingRef.current = true;
    setFollowing(true);
    setPickedSeq(undefined);
  }, [ue?.id]);

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      setBoxWidth(el.clientWidth);
      // A shorter box (the detail opened below it): the newest message, or the picked one, stays in view.
      if (followingRef.current) el.scrollTop = el.scrollHeight;
      else {
        const picked = el.querySelector(`[data-seq="${pickedRef.current}"]`)?.getBoundingClientRect();
        const below = picked ? picked.bottom - el.getBoundingClientRect().bottom : 0;
        if (below > 0) el.scrollTop += below + 8;
      }
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Follow live: a new message (or a new layout) scrolls to the bottom unless the person scrolled back;
  // then the rows in view stay in place when the console drops its oldest messages (its cap of 400).
  const previous = useRef<{ seqs: number[]; ys: number[] }>({ seqs: [], ys: [] });
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && followingRef.current) el.scrollTop = el.scrollHeight;
    else if (el && messages[0]) {
      const before = previous.current.seqs.indexOf(messages[0].seq);
      if (before > 0) el.scrollTop -= previous.current.ys[before]! - ys[0]!;
    }
    previous.current = { seqs: messages.map((m) => m.seq), ys };
  }, [newest, height, width, messages, ys]);

  function onScroll() {
    const el = scrollRef.current!;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= FOLLOW_SLACK;
    if (atBottom === followingRef.current) return;
    followingRef.current = atBottom;
    setFollowing(atBottom);
    setLeftAt(atBottom ? undefined : newest);
  }

  function jumpToLatest() {
    const el = scrollRef.current!;
    followingRef.current = true;
    setFollowing(true);
    el.scrollTop = el.scrollHeight;
  }

  /** The UE host's whole log of the UE (it keeps more than the diagram shows), else what is shown. */
  async function exportLog() {
    const id = ue?.id ?? messages[0]?.ue ?? 'ue';
    const all = await api.messages(id).catch(() => messages);
    download(`${stem}.txt`, 'text/plain', exportText(id, all.length >= messages.length ? all : messages));
  }

  const unseen = following || leftAt === undefined ? 0 : messages.filter((m) => m.seq > leftAt).length;
  const picked = arrows.find((a) => a.message.seq === pickedSeq);
  const stem = `${ue?.id ?? 'ue'}-messages-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '')}`;

  return (
    <section className="card diagram" aria-labelledby="diagram-title">
      <div className="diagram-head">
        <h2 id="diagram-title">Sequence diagram {ue ? `— ${ue.id}` : ''}</h2>
        <p className="muted">
          One arrow per HTTP request/response or SIP message; <span className="legend-dash">dashed</span>: teardown;{' '}
          <span className="legend-grey">grey</span>: retransmission; bands: the TS 24.484 step the UE ran.
        </p>
        <div className="diagram-actions">
          <button type="button" disabled={!messages.length} onClick={() => void exportLog()}>
            Export text
          </button>
          <button
            type="button"
            disabled={!messages.length}
            onClick={() => download(`${stem}.svg`, 'image/svg+xml', diagramSvg(headRef.current!, bodyRef.current!))}
          >
            Export picture (SVG)
          </button>
        </div>
      </div>
      <div className="diagram-body">
        <div className="diagram-view">
          <div className="diagram-scroll" ref={scrollRef} onScroll={onScroll} data-testid="diagram-scroll">
            <div className="diagram-lanes">
              <svg ref={headRef} width={width} height={HEAD} aria-hidden="true" data-testid="diagram-lanes">
                <rect x={0} y={0} width={width} height={HEAD} fill="#ffffff" />
                {lanes.map((lane) => (
                  <text key={lane} x={x(lane)} y={16} textAnchor="middle" fontWeight="bold" fontSize={11} fontFamily="system-ui, sans-serif">
                    {lane}
                  </text>
                ))}
              </svg>
            </div>
            <svg
              ref={bodyRef}
              width={width}
              height={height}
              role="list"
              aria-label={`messages of ${ue?.id ?? 'no UE'}`}
              data-testid="sequence-diagram"
            >
              {boxes.map((b) => (
                <g key={`${b.kind}-${b.first}`} className={`band ${b.kind}`} data-testid={b.kind === 'step' ? 'step-band' : 'procedure-band'} data-label={b.label} pointerEvents="none">
                  <rect
                    x={b.kind === 'procedure' ? 2 : 8}
                    y={b.y0}
                    width={width - (b.kind === 'procedure' ? 4 : 16)}
                    height={b.y1 - b.y0}
                    rx={4}
                    fill={b.kind === 'procedure' ? '#fff8c5' : '#ffffff'}
                    fillOpacity={b.kind === 'procedure' ? 0.55 : 0.6}
                    stroke={b.kind === 'procedure' ? '#d4a72c' : '#afb8c1'}
                    strokeDasharray={b.kind === 'step' ? '4 2' : undefined}
                  />
                  <text x={b.kind === 'procedure' ? 8 : 14} y={b.y0 + 13} fontSize={11} fontFamily="system-ui, sans-serif" fontWeight={b.kind === 'procedure' ? 'bold' : 'normal'} fill="#57606a">
                    {b.kind === 'procedure' ? b.label : `${b.label || '(no step)'}${b.clause ? ` — ${b.clause}` : ''}`}
                  </text>
                </g>
              ))}
              {lanes.map((lane) => (
                <line key={lane} x1={x(lane)} y1={0} x2={x(lane)} y2={height} stroke="#c8ced6" strokeDasharray="3 3" />
              ))}
              {arrows.map((a, i) => {
                const m = a.message;
                const y = ys[i]!;
                const x1 = x(a.from);
                const x2 = x(a.to);
                const colour = colourOf(a);
                const head = x2 > x1 ? -6 : 6;
                const marks = marksOf(a);
                const summary = m.summary.length > 70 ? m.summary.slice(0, 69) + '…' : m.summary;
                const label = `${timeOf(m)} ${summary}${marks.length ? ` ${marks.join(' ')}` : ''}`;
                // The label starts at the arrow's left end, moved left when it would run past the last lane (our choice).
                const left = Math.max(0, Math.min(Math.min(x1, x2), width - label.length * 6.6 - 8));
                const hitWidth = Math.max(Math.abs(x2 - x1), label.length * 6 + 8);
                return (
                  <g
                    key={m.seq}
                    className={`arrow${m.seq === pickedSeq ? ' selected' : ''}${a.retransmission ? ' retransmission' : ''}${a.teardown ? ' teardown' : ''}`}
                    role="listitem"
                    tabIndex={0}
                    aria-label={`${timeOf(m)} ${a.from} to ${a.to}: ${m.summary}${marks.length ? ` ${marks.join(' ')}` : ''}${m.step ? ` [${m.step}]` : ''}`}
                    aria-current={m.seq === pickedSeq ? 'true' : undefined}
                    data-testid="sequence-arrow"
                    data-seq={m.seq}
                    onClick={() => setPickedSeq(m.seq)}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' || e.key === ' ') {
                        e.preventDefault();
                        setPickedSeq(m.seq);
                      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                        // Up/Down: the previous/next message, picked and focused.
                        const next = arrows[i + (e.key === 'ArrowDown' ? 1 : -1)]?.message.seq;
                        if (next === undefined) return;
                        e.preventDefault();
                        setPickedSeq(next);
                        bodyRef.current?.querySelector<SVGGElement>(`[data-seq="${next}"]`)?.focus();
                      }
                    }}
                  >
                    {/* Hit areas: the label's box and a 12 px band along the line (the line itself is 1.5 px). */}
                    <rect className="hit" x={left} y={y - 16} width={hitWidth} height={16} fill="transparent" />
                    <line className="hit" x1={x1} y1={y} x2={x2} y2={y} stroke="transparent" strokeWidth={12} />
                    <line
                      className="shaft"
                      x1={x1}
                      y1={y}
                      x2={x2}
                      y2={y}
                      stroke={colour}
                      strokeWidth={1.5}
                      strokeDasharray={a.teardown ? '6 4' : undefined}
                    />
                    <polygon points={`${x2},${y} ${x2 + head},${y - 4} ${x2 + head},${y + 4}`} fill={colour} />
                    <text className="summary" x={left + 4} y={y - 4} fontSize={11} fontFamily="system-ui, sans-serif" fill={a.retransmission ? '#6e7781' : '#1c2430'}>
                      {label}
                    </text>
                  </g>
                );
              })}
            </svg>
          </div>
          {!following ? (
            <button type="button" className="jump primary" onClick={jumpToLatest}>
              Jump to latest{unseen ? ` (${unseen} new)` : ''}
            </button>
          ) : null}
        </div>
        <aside className="message-detail" aria-live="polite" aria-label="Selected message" data-testid="message-detail">
          {picked ? <MessageDetail arrow={picked} /> : <p className="muted">Select an arrow (mouse, or Tab + Enter) to see its message here.</p>}
        </aside>
      </div>
    </section>
  );
}

/** The picked message: where it goes, the step it belongs to, its marks, then its full text (tokens redacted by the UE host). */
function MessageDetail({ arrow }: { arrow: Arrow }) {
  const m = arrow.message;
  const marks = marksOf(arrow);
  return (
    <>
      <h3>
        #{m.seq} {m.protocol} {arrow.from} → {arrow.to}
      </h3>
      <p className="muted">
        {m.at}
        {m.procedure ? (
          <>
            <br />
            {m.procedure}
            {m.step ? `: ${m.step}` : ''}
            {m.clause ? ` (${m.clause})` : ''}
          </>
        ) : null}
        {marks.length ? (
          <>
            <br />
            <strong>{marks.join(' ')}</strong>
          </>
        ) : null}
      </p>
      <pre className="body">
        {[m.startLine || m.summary, ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`), '', m.body ?? ''].join('\n')}
      </pre>
    </>
  );
}
