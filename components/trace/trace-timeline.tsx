"use client";

import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { middleEllipsis } from "@/components/ui/identifier-text.ts";
import { ClockIcon } from "./clock-icon.tsx";
import type { LaneBucket } from "@/lib/server/traces/analyze.ts";
import {
  OUTCOME_LABEL,
  formatRel,
  formatRelPrecise,
  formatSpan,
  formatUtc,
  type TimelineEntry,
  type TimelineModel,
} from "./model.ts";

// One swimlane per machine identity; each access is a mark in its requester's
// lane at its claimed time, joined by a thin line to an arrival tick in its
// target's lane. Denied and failed accesses differ by shape and label, not only
// by colour. Above AGGREGATE marks the server has bucketed the lanes (counts per
// time slice), so a 10 000-entry trace draws a few hundred rectangles.

const LABEL_W = 230;
const PLOT_W = 820;
const PAD_R = 56;
const AXIS_H = 34;
const LANE_H = 38;
const WIDTH = LABEL_W + PLOT_W + PAD_R;
/** Text labels beside marks only when there are few enough to read. */
const LABEL_MARKS_UNDER = 60;

type Hover = { x: number; y: number; content: React.ReactNode } | null;

function niceStep(span: number, target = 6): number {
  const raw = Math.max(1, span / Math.max(1, target));
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** A tick label precise enough for its step: "+850 ms", "+1.25 s", "+5 min 0.05 s". */
function tickLabel(ms: number, step: number): string {
  const d = step < 10 ? 3 : step < 100 ? 2 : step < 1000 ? 1 : 0;
  if (ms < 1000 && step < 1000) return `+${Math.round(ms)} ms`;
  if (ms < 60_000) return `+${(ms / 1000).toFixed(d)} s`;
  if (step >= 60_000) return formatRel(ms);
  return `+${Math.floor(ms / 60_000)} min ${((ms % 60_000) / 1000).toFixed(d)} s`;
}

const GAP_W = 56;

/**
 * A broken time axis: each marked gap is drawn GAP_W wide (a shaded band says how
 * long it was) and the rest of the plot is linear in time, so two bursts minutes
 * apart stay readable instead of collapsing into two dots.
 */
function timeScale(durationMs: number, gaps: TimelineModel["gaps"]) {
  const gapMs = gaps.reduce((s, g) => s + g.ms, 0);
  const linear = durationMs - gapMs;
  const broken = gaps.length > 0 && linear > 0 && PLOT_W - gaps.length * GAP_W >= PLOT_W * 0.4;
  if (!broken) {
    const k = PLOT_W / Math.max(1, durationMs);
    const x = (ms: number) => LABEL_W + (durationMs === 0 ? PLOT_W / 2 : ms * k);
    return { x, segments: [{ a: 0, b: durationMs, px: PLOT_W }] };
  }
  const k = (PLOT_W - gaps.length * GAP_W) / linear;
  const x = (ms: number) => {
    let px = 0;
    let cursor = 0;
    for (const g of gaps) {
      if (ms <= g.startMs) return LABEL_W + px + (ms - cursor) * k;
      px += (g.startMs - cursor) * k;
      if (ms < g.endMs) return LABEL_W + px + ((ms - g.startMs) / g.ms) * GAP_W;
      px += GAP_W;
      cursor = g.endMs;
    }
    return LABEL_W + px + (ms - cursor) * k;
  };
  const segments: Array<{ a: number; b: number; px: number }> = [];
  let cursor = 0;
  for (const g of gaps) {
    segments.push({ a: cursor, b: g.startMs, px: (g.startMs - cursor) * k });
    cursor = g.endMs;
  }
  segments.push({ a: cursor, b: durationMs, px: (durationMs - cursor) * k });
  return { x, segments };
}

function ticksOf(segments: Array<{ a: number; b: number; px: number }>): Array<{ ms: number; label: string }> {
  const out: Array<{ ms: number; label: string }> = [];
  for (const seg of segments) {
    const count = Math.floor(seg.px / 110);
    if (count < 1) {
      out.push({ ms: seg.a, label: tickLabel(seg.a, Math.max(1, seg.b - seg.a)) });
      continue;
    }
    const span = seg.b - seg.a;
    if (span <= 0) {
      out.push({ ms: seg.a, label: tickLabel(seg.a, 1) });
      continue;
    }
    const step = niceStep(span, count);
    for (let t = Math.ceil(seg.a / step) * step; t <= seg.b + 1e-9; t += step)
      out.push({ ms: t, label: tickLabel(t, step) });
    if (out.length === 0 || out[out.length - 1]!.ms < seg.a) out.push({ ms: seg.a, label: tickLabel(seg.a, step) });
  }
  return out;
}

function Mark({ entry, x, y }: { entry: TimelineEntry; x: number; y: number }) {
  if (entry.outcome === "denied") {
    // A square with a cross: "stopped here".
    return (
      <g className="mark-shape denied">
        <rect x={x - 6} y={y - 6} width={12} height={12} rx={2} />
        <path
          d={`M${x - 3.5},${y - 3.5}L${x + 3.5},${y + 3.5}M${x + 3.5},${y - 3.5}L${x - 3.5},${y + 3.5}`}
          className="glyph"
        />
      </g>
    );
  }
  if (entry.outcome === "failure") {
    // A triangle with a bang: "broke here".
    return (
      <g className="mark-shape failure">
        <path d={`M${x},${y - 7}L${x + 7},${y + 6}L${x - 7},${y + 6}Z`} />
        <path d={`M${x},${y - 2.5}L${x},${y + 1.5}M${x},${y + 3}L${x},${y + 4}`} className="glyph" />
      </g>
    );
  }
  return (
    <g className="mark-shape success">
      <circle cx={x} cy={y} r={5} />
    </g>
  );
}

function EntryTip({ e }: { e: TimelineEntry }) {
  return (
    <div className="stack-tight">
      <div>
        <strong>seq {e.seq}</strong> · <span className={`outcome-tag ${e.outcome}`}>{OUTCOME_LABEL[e.outcome]}</span>
        {e.clockFinding && (
          <span className="clock-tag">
            {" "}
            <ClockIcon /> claimed time disagrees with order of receipt
          </span>
        )}
      </div>
      <div className="mono">{formatUtc(e.ts)}</div>
      <div>{formatRelPrecise(e.relMs)} from the first event</div>
      <div className="break">
        <span className="muted">from</span> {e.requesterId}
      </div>
      <div className="break">
        <span className="muted">to</span> {e.targetId}
      </div>
      <div>
        {e.eventType}
        {e.action ? ` · ${e.action}` : ""}
      </div>
      {e.reason && <div className="break">reason: {e.reason}</div>}
      <div className="muted">click to open the entry</div>
    </div>
  );
}

type BucketsProps = {
  model: TimelineModel;
  xOf: (ms: number) => number;
  laneTop: (lane: string) => number;
  show: (ev: React.MouseEvent, content: React.ReactNode) => void;
};

/** Aggregated lanes: bars of accesses made (full colour) and received (pale, below) per time slice. */
function Buckets({ model, xOf, laneTop, show }: BucketsProps) {
  const { bucketMs, lanes } = model.buckets!;
  const total = (b: LaneBucket) => b.success + b.failure + b.denied;
  const max = Math.max(1, ...lanes.flatMap((l) => [...l.sent, ...l.received].map(total)));
  const bars = (lane: string, buckets: LaneBucket[], kind: "sent" | "received", top: number, h: number) =>
    buckets.map((b) => {
      const n = total(b);
      // sqrt scale: one denied access among thousands must still be visible.
      const bh = Math.max(2, Math.sqrt(n / max) * h);
      const x = xOf(b.i * bucketMs);
      const bw = Math.max(1.5, xOf(Math.min(model.durationMs, (b.i + 1) * bucketMs)) - x - 0.5);
      const dh = (b.denied / n) * bh;
      const fh = (b.failure / n) * bh;
      const y0 = top + h - bh;
      return (
        <g
          key={`${kind}-${b.i}`}
          className={`bucket-group ${kind}`}
          data-testid="trace-bucket"
          data-kind={kind}
          onMouseMove={(ev) =>
            show(
              ev,
              <div className="stack-tight">
                <strong>
                  {n.toLocaleString("en-US")} {kind === "sent" ? "accesses made" : "accesses received"}
                </strong>
                <div>
                  {formatRel(b.i * bucketMs)} … {formatRel((b.i + 1) * bucketMs)}
                </div>
                <div>
                  {b.success} ok · {b.failure} failed · {b.denied} denied
                </div>
                <div className="muted break">{lane}</div>
              </div>,
            )
          }
        >
          <rect x={x} y={y0} width={bw} height={Math.max(0, bh - dh - fh)} className="bucket success" />
          {fh > 0 && (
            <rect x={x} y={y0 + bh - dh - fh} width={bw} height={Math.max(1.5, fh)} className="bucket failure" />
          )}
          {dh > 0 && <rect x={x} y={y0 + bh - dh} width={bw} height={Math.max(1.5, dh)} className="bucket denied" />}
          {b.denied > 0 && kind === "sent" && (
            <text x={x + bw / 2} y={y0 - 1} textAnchor="middle" className="bucket-flag">
              ✕
            </text>
          )}
        </g>
      );
    });
  return (
    <g className="buckets">
      {lanes.map(({ lane, sent, received }) => {
        const top = laneTop(lane) + 5;
        const h = LANE_H - 10;
        // A lane that both calls and is called: made above, received below.
        const split = sent.length > 0 && received.length > 0;
        const sentH = split ? h * 0.6 : h;
        return (
          <g key={lane}>
            {bars(lane, sent, "sent", top, sentH)}
            {bars(lane, received, "received", split ? top + sentH : top, split ? h - sentH : h)}
          </g>
        );
      })}
    </g>
  );
}

export function TraceTimeline({ model }: { model: TimelineModel }) {
  const router = useRouter();
  const box = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<Hover>(null);
  // Hover and click need hydration; tests (and nothing else) wait for this mark.
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  const laneIndex = useMemo(() => new Map(model.lanes.map((l, i) => [l.id, i])), [model.lanes]);
  const height = AXIS_H + model.lanes.length * LANE_H + 8;
  const scale = useMemo(() => timeScale(model.durationMs, model.gaps), [model.durationMs, model.gaps]);
  const xOf = scale.x;
  const yOf = (lane: string) => AXIS_H + (laneIndex.get(lane) ?? 0) * LANE_H + LANE_H / 2;
  const ticks = useMemo(() => {
    // Drop a tick whose label would touch the previous one (segment edges beside a gap).
    const kept: Array<{ ms: number; label: string }> = [];
    let lastX = -Infinity;
    for (const t of ticksOf(scale.segments)) {
      const x = scale.x(t.ms);
      if (x - lastX < 64) continue;
      kept.push(t);
      lastX = x;
    }
    return kept;
  }, [scale]);

  const show = (ev: React.MouseEvent, content: React.ReactNode) => {
    const r = box.current?.getBoundingClientRect();
    if (!r) return;
    setHover({ x: ev.clientX - r.left, y: ev.clientY - r.top, content });
  };
  const open = (seq: number) => (ev: React.MouseEvent) => {
    ev.preventDefault();
    router.push(`/events/${seq}`);
  };
  const aggregated = model.buckets !== null;
  const labelMarks = !aggregated && model.entries.length < LABEL_MARKS_UNDER;

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
        aria-label={`Timeline of ${model.entries.length} entries across ${model.lanes.length} services`}
      >
        {/* time axis, relative to the first event */}
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

        {model.lanes.map((l, i) => (
          <g key={l.id} data-testid="lane" data-lane={l.id} className={`lane ${i % 2 ? "odd" : ""}`}>
            <rect x={0} y={AXIS_H + i * LANE_H} width={WIDTH} height={LANE_H} className="lane-bg" />
            <text x={8} y={AXIS_H + i * LANE_H + LANE_H / 2 + 4} className="lane-label">
              <title>{`${l.id} — ${l.role === "target" ? "called only" : l.role === "requester" ? "caller" : "caller and called"}`}</title>
              {/* Cut in the middle: the end tells identities apart. Shorter when the denial flag needs room. */}
              {middleEllipsis(l.label, l.sent.denied + l.received.denied > 0 ? 26 : 30)}
            </text>
            {l.sent.denied + l.received.denied > 0 && (
              <text
                x={LABEL_W - 8}
                y={AXIS_H + i * LANE_H + LANE_H / 2 + 4}
                textAnchor="end"
                className="lane-flag denied"
              >
                ✕{l.sent.denied + l.received.denied}
              </text>
            )}
          </g>
        ))}

        {model.gaps.map((g) => (
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
        ))}

        {!aggregated &&
          model.entries.map((e) => {
            const x = xOf(e.relMs);
            const y = yOf(e.lane);
            const ty = yOf(e.to);
            return (
              <a
                key={e.seq}
                href={`/events/${e.seq}`}
                onClick={open(e.seq)}
                onMouseMove={(ev) => show(ev, <EntryTip e={e} />)}
                onFocus={(ev) => {
                  const r = box.current?.getBoundingClientRect();
                  const m = (ev.target as Element).getBoundingClientRect();
                  if (r) setHover({ x: m.left - r.left + 10, y: m.top - r.top + 10, content: <EntryTip e={e} /> });
                }}
                onBlur={() => setHover(null)}
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
                {labelMarks && e.outcome !== "success" && (
                  <text x={x + 9} y={y + 4} className={`mark-label ${e.outcome}`}>
                    {OUTCOME_LABEL[e.outcome]}
                  </text>
                )}
              </a>
            );
          })}

        {aggregated && (
          <Buckets
            model={model}
            xOf={xOf}
            laneTop={(lane) => AXIS_H + (laneIndex.get(lane) ?? 0) * LANE_H}
            show={show}
          />
        )}
      </svg>
      {hover && (
        <div
          className="trace-tooltip"
          data-testid="trace-tooltip"
          style={{ left: Math.min(hover.x + 14, (box.current?.clientWidth ?? 800) - 330), top: hover.y + 14 }}
        >
          {hover.content}
        </div>
      )}
      <div className="trace-legend muted">
        <span>
          <svg width="14" height="14" viewBox="-7 -7 14 14" className="mark-shape success" aria-hidden>
            <circle r={5} />
          </svg>{" "}
          ok
        </span>
        <span>
          <svg width="14" height="14" viewBox="-7 -8 14 15" className="mark-shape failure" aria-hidden>
            <path d="M0,-7L7,6L-7,6Z" />
          </svg>{" "}
          failed
        </span>
        <span>
          <svg width="14" height="14" viewBox="-7 -7 14 14" className="mark-shape denied" aria-hidden>
            <rect x={-6} y={-6} width={12} height={12} rx={2} />
            <path d="M-3.5,-3.5L3.5,3.5M3.5,-3.5L-3.5,3.5" className="glyph" />
          </svg>{" "}
          denied
        </span>
        <span className="clock-tag">
          <ClockIcon /> claimed time disagrees with order of receipt
        </span>
        <span>
          <svg width="14" height="12" aria-hidden className="gap-swatch">
            <rect x="1" y="1" width="12" height="10" />
          </svg>{" "}
          gap: a silence of at least the threshold, drawn narrow
        </span>
        {aggregated && (
          <span>
            bars: accesses per {formatSpan(model.buckets!.bucketMs)} slice, made (solid) and received (pale), √ scale
          </span>
        )}
      </div>
    </div>
  );
}
