"use client";

import { useRef, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ReferenceArea, Tooltip, XAxis, YAxis } from "recharts";
import type { MouseHandlerDataParam } from "recharts";
import "./charts.css";

// A stacked bar histogram over categorical buckets that lets the user pick one
// bucket (click) or a run of buckets (click-drag, drawn as a ReferenceArea).
// No domain knowledge: buckets are keyed by `key`, series are given.

export type Series = { key: string; label: string; color: string };

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

/** The bucket under the pointer, from recharts' mouse state (its label, else its index). */
function bucketKeyAt(s: MouseHandlerDataParam | null | undefined, data: Array<{ key: string }>): string | null {
  if (!s) return null;
  if (typeof s.activeLabel === "string" && s.activeLabel) return s.activeLabel;
  const i =
    typeof s.activeIndex === "number" ? s.activeIndex : typeof s.activeIndex === "string" ? Number(s.activeIndex) : NaN;
  return Number.isInteger(i) ? (data[i]?.key ?? null) : null;
}

/** Click-drag across buckets: the area to draw while dragging, and the chart's mouse handlers. */
function useBucketDrag(data: Array<{ key: string }>, onSelect: ((a: string, b: string) => void) | undefined) {
  // Refs, not state, decide the gesture: recharts delivers mouse events through
  // its own (throttled) store, so a quick click can arrive before a re-render.
  const from = useRef<string | null>(null);
  const to = useRef<string | null>(null);
  const [area, setArea] = useState<{ x1: string; x2: string } | null>(null);
  const reset = () => {
    from.current = null;
    to.current = null;
    setArea(null);
  };
  const handlers = {
    onMouseDown: (s: MouseHandlerDataParam) => {
      if (!onSelect) return;
      from.current = bucketKeyAt(s, data);
      to.current = from.current;
    },
    onMouseMove: (s: MouseHandlerDataParam) => {
      if (from.current === null) return;
      const k = bucketKeyAt(s, data);
      if (k === null || k === to.current) return;
      to.current = k;
      setArea({ x1: from.current, x2: k });
    },
    onMouseUp: (s: MouseHandlerDataParam) => {
      const a = from.current;
      const b = bucketKeyAt(s, data) ?? to.current;
      reset();
      // A drag across buckets selects the run; a click on one bar is the bar's onClick.
      if (onSelect && a !== null && b !== null && a !== b) onSelect(a, b);
    },
    onMouseLeave: reset,
  };
  return { area, handlers };
}

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
  const { area, handlers } = useBucketDrag(data, onSelect);
  return (
    <div
      className={`stacked-histogram${onSelect ? " selectable" : ""}`}
      data-testid={testId}
      role="img"
      aria-label={ariaLabel}
    >
      <BarChart
        responsive
        style={{ width: "100%", height }}
        data={data}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        barCategoryGap={1}
        {...handlers}
      >
        <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e6e9ef" />
        <XAxis dataKey="key" tickFormatter={tickLabel} minTickGap={24} tick={{ fontSize: 11 }} />
        <YAxis allowDecimals={false} width={44} tick={{ fontSize: 11 }} />
        <Tooltip labelFormatter={(k) => tooltipLabel(String(k))} isAnimationActive={false} />
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
        {area && area.x1 !== area.x2 && (
          <ReferenceArea x1={area.x1} x2={area.x2} strokeOpacity={0.3} fill="#2450d8" fillOpacity={0.12} />
        )}
      </BarChart>
    </div>
  );
}
