"use client";

import { countOf } from "@/components/ui/count.ts";
import { useId, useRef, useState, type KeyboardEvent } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ReferenceArea, Tooltip, XAxis, YAxis } from "recharts";
import type { MouseHandlerDataParam } from "recharts";
import "./charts.css";

// A stacked bar histogram over categorical buckets that lets the user pick one
// bucket (click) or a run of buckets (click-drag, drawn as a ReferenceArea) —
// or, from the keyboard, move a highlighted bar with the arrow keys, widen it
// with Shift, and press Enter. No domain knowledge: buckets are keyed by `key`,
// series are given. Colours are CSS values (var(--…)), so both themes apply.

export type Series = { key: string; label: string; color: string };

const AXIS_TICK = { fontSize: 11, fill: "var(--muted)" };
const TOOLTIP_LOOK = {
  cursor: { fill: "var(--surface-2)" },
  contentStyle: { background: "var(--card)", border: "1px solid var(--border)", borderRadius: 8 },
  labelStyle: { color: "var(--fg)" },
};
const SELECTION_LOOK = { stroke: "var(--accent)", strokeOpacity: 0.5, fill: "var(--accent)", fillOpacity: 0.14 };

const clamp = (i: number, n: number) => Math.max(0, Math.min(n - 1, i));

type Props<T extends { key: string }> = {
  data: T[];
  series: Series[];
  tickLabel: (key: string) => string;
  tooltipLabel: (key: string) => string;
  /** Called with the first and last bucket keys selected (equal for a click). */
  onSelect?: (a: string, b: string) => void;
  height?: number;
  testId?: string;
  ariaLabel: string;
};

export function StackedHistogram<T extends { key: string }>({
  data,
  series,
  tickLabel,
  tooltipLabel,
  onSelect,
  height = 220,
  testId,
  ariaLabel,
}: Props<T>) {
  const drag = useDragRange(data, onSelect);
  const kb = useKeyboardRange(data, onSelect);
  const statusId = useId();
  const kbRange = kb.range;
  const shown = kbRange ? { x1: data[kbRange[0]]!.key, x2: data[kbRange[1]]!.key } : drag.area;

  return (
    <div
      className={`stacked-histogram${onSelect ? " selectable" : ""}`}
      data-testid={testId}
      // Keyboard-operable when it can zoom: one tab stop, arrows inside (like a slider).
      role={onSelect ? "group" : "img"}
      tabIndex={onSelect ? 0 : undefined}
      aria-label={
        onSelect ? `${ariaLabel}. Arrow keys pick a bar, Shift widens, Enter zooms, Escape clears.` : ariaLabel
      }
      aria-describedby={onSelect ? statusId : undefined}
      onKeyDown={kb.onKeyDown}
      onBlur={kb.clear}
    >
      <BarChart
        responsive
        style={{ width: "100%", height }}
        data={data}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        barCategoryGap={1}
        // The wrapper is the one keyboard stop (with zoom); recharts' own layer would be a second.
        accessibilityLayer={false}
        onMouseDown={drag.onMouseDown}
        onMouseMove={drag.onMouseMove}
        onMouseUp={drag.onMouseUp}
        onMouseLeave={drag.reset}
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--chart-grid)" />
        <XAxis dataKey="key" tickFormatter={tickLabel} minTickGap={24} tick={AXIS_TICK} stroke="var(--border)" />
        <YAxis allowDecimals={false} width={44} tick={AXIS_TICK} stroke="var(--border)" />
        <Tooltip labelFormatter={(k) => tooltipLabel(String(k))} isAnimationActive={false} {...TOOLTIP_LOOK} />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        {series.map((s) => (
          <Bar
            key={s.key}
            dataKey={s.key}
            name={s.label}
            stackId="stack"
            fill={s.color}
            isAnimationActive={false}
            onClick={(_item, index) => {
              const k = data[index]?.key;
              if (onSelect && k !== undefined) onSelect(k, k);
            }}
          />
        ))}
        {shown && (kbRange || shown.x1 !== shown.x2) && (
          <ReferenceArea x1={shown.x1} x2={shown.x2} {...SELECTION_LOOK} />
        )}
      </BarChart>
      {onSelect && (
        <p id={statusId} className="chart-kb-status" aria-live="polite" data-testid={testId && `${testId}-selection`}>
          {kbRange ? describeRange(data, series, tooltipLabel, kbRange) : ""}
        </p>
      )}
    </div>
  );
}

/** Click-drag across buckets: the run under the pointer, drawn while dragging, selected on release. */
function useDragRange(data: { key: string }[], onSelect: Props<{ key: string }>["onSelect"]) {
  // Refs, not state, decide the gesture: recharts delivers mouse events through
  // its own (throttled) store, so a quick click can arrive before a re-render.
  const from = useRef<string | null>(null);
  const to = useRef<string | null>(null);
  const [area, setArea] = useState<{ x1: string; x2: string } | null>(null);
  const keyAt = (s: MouseHandlerDataParam | null | undefined) => bucketKeyAt(data, s);
  const reset = () => {
    from.current = null;
    to.current = null;
    setArea(null);
  };
  return {
    area,
    reset,
    onMouseDown: (s: MouseHandlerDataParam) => {
      if (!onSelect) return;
      from.current = keyAt(s);
      to.current = from.current;
    },
    onMouseMove: (s: MouseHandlerDataParam) => {
      if (from.current === null) return;
      const k = keyAt(s);
      if (k === null || k === to.current) return;
      to.current = k;
      setArea({ x1: from.current, x2: k });
    },
    onMouseUp: (s: MouseHandlerDataParam) => {
      const a = from.current;
      const b = keyAt(s) ?? to.current;
      reset();
      // A drag across buckets selects the run; a click on one bar is the bar's onClick.
      if (onSelect && a !== null && b !== null && a !== b) onSelect(a, b);
    },
  };
}

function bucketKeyAt(data: { key: string }[], s: MouseHandlerDataParam | null | undefined): string | null {
  if (!s) return null;
  if (typeof s.activeLabel === "string" && s.activeLabel) return s.activeLabel;
  const i =
    typeof s.activeIndex === "number" ? s.activeIndex : typeof s.activeIndex === "string" ? Number(s.activeIndex) : NaN;
  return Number.isInteger(i) ? (data[i]?.key ?? null) : null;
}

/** The keyboard's selection: arrows move, Shift widens, Enter selects, Escape clears. */
function useKeyboardRange(data: { key: string }[], onSelect: Props<{ key: string }>["onSelect"]) {
  // Indexes of the anchor and the moving end.
  const [kb, setKb] = useState<{ anchor: number; end: number } | null>(null);
  const range = kb ? ([Math.min(kb.anchor, kb.end), Math.max(kb.anchor, kb.end)] as const) : null;
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (!onSelect || data.length === 0) return;
    const n = data.length;
    const step: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, Home: -n, End: n };
    if (e.key in step) {
      e.preventDefault();
      setKb((cur) => {
        if (!cur) return { anchor: e.key === "End" ? n - 1 : 0, end: e.key === "End" ? n - 1 : 0 };
        const end = clamp(cur.end + step[e.key]!, n);
        return e.shiftKey ? { anchor: cur.anchor, end } : { anchor: end, end };
      });
    } else if ((e.key === "Enter" || e.key === " ") && range) {
      e.preventDefault();
      setKb(null);
      onSelect(data[range[0]]!.key, data[range[1]]!.key);
    } else if (e.key === "Escape" && kb) {
      e.preventDefault();
      setKb(null);
    }
  };
  return { range, onKeyDown, clear: () => setKb(null) };
}

/** What the keyboard selection holds, read out by screen readers (aria-live) and shown below the chart. */
function describeRange<T extends { key: string }>(
  data: T[],
  series: Series[],
  tooltipLabel: (key: string) => string,
  [a, b]: readonly [number, number],
): string {
  const rows = data.slice(a, b + 1);
  const sums = series.map((s) => ({
    label: s.label,
    n: rows.reduce((sum, d) => sum + Number((d as Record<string, unknown>)[s.key] ?? 0), 0),
  }));
  const all = sums.reduce((x, s) => x + s.n, 0);
  const when = a === b ? tooltipLabel(data[a]!.key) : `${tooltipLabel(data[a]!.key)} … ${tooltipLabel(data[b]!.key)}`;
  const parts = sums.map((s) => `${s.n.toLocaleString("en-US")} ${s.label}`).join(", ");
  return `${when}: ${countOf(all, "event")} (${parts}). Enter zooms to ${a === b ? "this bar" : "these bars"}.`;
}
