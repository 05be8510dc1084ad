import { formatRel, type TimelineModel } from "./model.ts";

// The timeline's geometry: lane and axis sizes, and the time → x scale with its ticks.

export const LABEL_W = 230;
export const PLOT_W = 820;
const PAD_R = 56;
export const AXIS_H = 34;
export const LANE_H = 38;
export const WIDTH = LABEL_W + PLOT_W + PAD_R;
const GAP_W = 56;

export type Tick = { ms: number; label: string };

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

/**
 * A broken time axis: each marked gap is drawn GAP_W wide (a shaded band says how
 * long it was) and the rest of the plot is linear in time, so two bursts minutes
 * apart stay readable instead of collapsing into two dots.
 */
export function timeScale(durationMs: number, gaps: TimelineModel["gaps"]) {
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

function ticksOf(segments: Array<{ a: number; b: number; px: number }>): Tick[] {
  const out: Tick[] = [];
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

/** The ticks of a scale, dropping one whose label would touch the previous one (segment edges beside a gap). */
export function visibleTicks(scale: ReturnType<typeof timeScale>): Tick[] {
  const kept: Tick[] = [];
  let lastX = -Infinity;
  for (const t of ticksOf(scale.segments)) {
    const x = scale.x(t.ms);
    if (x - lastX < 64) continue;
    kept.push(t);
    lastX = x;
  }
  return kept;
}
