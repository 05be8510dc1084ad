"use client";

import { countOf } from "@/components/ui/count.ts";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { OUTCOME_LABEL, formatRelPrecise, formatSpan, type TimelineEntry, type TimelineModel } from "./model.ts";
import type { TimeZoneMode } from "@/components/events/explorer-params.ts";
import { Buckets } from "./timeline-buckets.tsx";
import { TimelineLegend } from "./timeline-legend.tsx";
import { EntryTip, Mark } from "./timeline-mark.tsx";
import { AXIS_H, LABEL_W, LANE_H, WIDTH, timeScale, visibleTicks, type Tick } from "./timeline-scale.ts";
import { visibleText } from "@/components/ui/reveal-invisible.ts";
import { middleEllipsis } from "@/components/ui/identifier-text.ts";

// One swimlane per machine identity; each access is a mark in its requester's
// lane at its claimed time, joined by a thin line to an arrival tick in its
// target's lane. Denied and failed accesses differ by shape and label, not only
// by colour. Above AGGREGATE marks the server has bucketed the lanes (counts per
// time slice), so a 10 000-entry trace draws a few hundred rectangles.

/** Text labels beside marks only when there are few enough to read. */
const LABEL_MARKS_UNDER = 60;

type Hover = { x: number; y: number; content: React.ReactNode } | null;
type Show = (ev: React.MouseEvent, content: React.ReactNode) => void;

export function TraceTimeline({ model, tz }: { model: TimelineModel; tz: TimeZoneMode }) {
  const router = useRouter();
  const box = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<Hover>(null);
  // Hover and click need hydration; tests (and nothing else) wait for this mark.
  const [ready, setReady] = useState(false);
  // eslint-disable-next-line react-hooks/set-state-in-effect -- the one render after hydration, by design
  useEffect(() => setReady(true), []);
  const laneIndex = useMemo(() => new Map(model.lanes.map((l, i) => [l.id, i])), [model.lanes]);
  const height = AXIS_H + model.lanes.length * LANE_H + 8;
  const scale = useMemo(() => timeScale(model.durationMs, model.gaps), [model.durationMs, model.gaps]);
  const xOf = scale.x;
  const laneTop = (lane: string) => AXIS_H + (laneIndex.get(lane) ?? 0) * LANE_H;
  const ticks = useMemo(() => visibleTicks(scale), [scale]);

  const show: Show = (ev, content) => {
    const r = box.current?.getBoundingClientRect();
    if (!r) return;
    setHover({ x: ev.clientX - r.left, y: ev.clientY - r.top, content });
  };
  const showAt = (el: Element, content: React.ReactNode) => {
    const r = box.current?.getBoundingClientRect();
    const m = el.getBoundingClientRect();
    if (r) setHover({ x: m.left - r.left + 10, y: m.top - r.top + 10, content });
  };
  const open = (seq: number) => (ev: React.MouseEvent) => {
    ev.preventDefault();
    router.push(`/events/${seq}`);
  };
  const aggregated = model.buckets !== null;

  return (
    <div
      className="trace-timeline"
      ref={box}
      data-testid="trace-timeline"
      data-mode={aggregated ? "aggregated" : "marks"}
      data-ready={ready ? "1" : undefined}
      onMouseLeave={() => setHover(null)}
      // Scrolls sideways on narrow screens: a tab stop when no mark (link) inside is one.
      tabIndex={aggregated ? 0 : undefined}
    >
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
        // Marks are links: a group, not an image (an image's content is presentational).
        role={aggregated ? "img" : "group"}
        aria-label={`Timeline of ${countOf(model.entries.length, "entry", "entries")} across ${countOf(model.lanes.length, "service")}`}
      >
        <TimeAxis ticks={ticks} xOf={xOf} height={height} />
        <LaneRows model={model} />
        <GapBands model={model} xOf={xOf} height={height} />
        {!aggregated &&
          model.entries.map((e) => (
            <EntryMark
              key={e.seq}
              e={e}
              tz={tz}
              x={xOf(e.relMs)}
              y={laneTop(e.lane) + LANE_H / 2}
              ty={laneTop(e.to) + LANE_H / 2}
              label={model.entries.length < LABEL_MARKS_UNDER}
              onClick={open(e.seq)}
              show={show}
              showAt={showAt}
              hide={() => setHover(null)}
            />
          ))}
        {aggregated && <Buckets model={model} xOf={xOf} laneTop={laneTop} show={show} />}
      </svg>
      {hover && (
        <div
          className="trace-tooltip"
          data-testid="trace-tooltip"
          // The box's width when the hover state was set (a render always follows it): keeps the tooltip inside.
          // eslint-disable-next-line react-hooks/refs
          style={{ left: Math.min(hover.x + 14, (box.current?.clientWidth ?? 800) - 330), top: hover.y + 14 }}
        >
          {hover.content}
        </div>
      )}
      <TimelineLegend model={model} />
    </div>
  );
}

/** The time axis, relative to the first event. */
function TimeAxis({ ticks, xOf, height }: { ticks: Tick[]; xOf: (ms: number) => number; height: number }) {
  return (
    <g className="axis">
      {ticks.map((t, i) => (
        <g key={i}>
          <line x1={xOf(t.ms)} x2={xOf(t.ms)} y1={AXIS_H - 6} y2={height - 8} className="tick" />
          <text x={xOf(t.ms)} y={AXIS_H - 12} textAnchor="middle">
            {t.label}
          </text>
        </g>
      ))}
    </g>
  );
}

function LaneRows({ model }: { model: TimelineModel }) {
  return model.lanes.map((l, i) => (
    <g key={l.id} data-testid="lane" data-lane={l.id} className={`lane ${i % 2 ? "odd" : ""}`}>
      <rect x={0} y={AXIS_H + i * LANE_H} width={WIDTH} height={LANE_H} className="lane-bg" />
      <text x={8} y={AXIS_H + i * LANE_H + LANE_H / 2 + 4} className="lane-label">
        <title>{`${visibleText(l.id)} — ${l.role === "target" ? "called only" : l.role === "requester" ? "caller" : "caller and called"}`}</title>
        {/* Cut in the middle: the end tells identities apart. Shorter when the denial flag needs room. */}
        {middleEllipsis(visibleText(l.label), l.sent.denied + l.received.denied > 0 ? 26 : 30)}
      </text>
      {l.sent.denied + l.received.denied > 0 && (
        <text x={LABEL_W - 8} y={AXIS_H + i * LANE_H + LANE_H / 2 + 4} textAnchor="end" className="lane-flag denied">
          ✕{l.sent.denied + l.received.denied}
        </text>
      )}
    </g>
  ));
}

/** Long silences, drawn narrow (a broken axis) and labelled with their length. */
function GapBands({ model, xOf, height }: { model: TimelineModel; xOf: (ms: number) => number; height: number }) {
  return model.gaps.map((g) => (
    <g key={`${g.afterSeq}-${g.beforeSeq}`} className="gap" data-testid="gap">
      <rect
        x={xOf(g.startMs)}
        y={AXIS_H}
        width={Math.max(2, xOf(g.endMs) - xOf(g.startMs))}
        height={height - AXIS_H - 8}
      />
      <text x={(xOf(g.startMs) + xOf(g.endMs)) / 2} y={height - 14} textAnchor="middle">
        {formatSpan(g.ms)}
      </text>
      <title>{`gap: ${formatSpan(g.ms)} without an entry between seq ${g.afterSeq} and seq ${g.beforeSeq}`}</title>
    </g>
  ));
}

/** One access: a link to the entry, its mark in the requester's lane and a line to the target's lane. */
function EntryMark(p: {
  e: TimelineEntry;
  tz: TimeZoneMode;
  x: number;
  y: number;
  ty: number;
  label: boolean;
  onClick: (ev: React.MouseEvent) => void;
  show: Show;
  showAt: (el: Element, content: React.ReactNode) => void;
  hide: () => void;
}) {
  const { e, x, y, ty } = p;
  return (
    <a
      href={`/events/${e.seq}`}
      onClick={p.onClick}
      onMouseMove={(ev) => p.show(ev, <EntryTip e={e} tz={p.tz} />)}
      onFocus={(ev) => p.showAt(ev.target as Element, <EntryTip e={e} tz={p.tz} />)}
      onBlur={p.hide}
      data-testid="trace-mark"
      data-seq={e.seq}
      data-outcome={e.outcome}
      aria-label={`seq ${e.seq}: ${OUTCOME_LABEL[e.outcome]} ${e.action ?? e.eventType} to ${e.to} at ${formatRelPrecise(e.relMs)}`}
      className={`mark ${e.outcome}${e.clockFinding ? " skewed" : ""}`}
    >
      {ty !== y && <line x1={x} x2={x} y1={y} y2={ty} className="hop" />}
      {ty !== y && (
        <path
          d={`M${x - 4},${ty + (ty > y ? -6 : 6)}L${x},${ty}L${x + 4},${ty + (ty > y ? -6 : 6)}`}
          className="arrival"
        />
      )}
      <Mark entry={e} x={x} y={y} />
      {e.clockFinding && (
        <g className="clock-glyph" transform={`translate(${x - 5.5},${y - 19})`}>
          <circle cx="5.5" cy="5.5" r="4.6" />
          <path d="M5.5 2.8V5.5l1.8 1.3" />
        </g>
      )}
      {p.label && e.outcome !== "success" && (
        <text x={x + 9} y={y + 4} className={`mark-label ${e.outcome}`}>
          {OUTCOME_LABEL[e.outcome]}
        </text>
      )}
    </a>
  );
}
