import type { ClockFinding, TraceBuckets, TraceGap, TraceGraph, TraceLane } from "@/lib/server/traces/analyze.ts";
import type { Trace } from "@/lib/server/traces/trace.ts";
import type { ErasedField } from "@/lib/server/events/personal-view.ts";

// The slice of a trace the browser needs: the timeline and entry list get only
// the fields they draw (a 10 000-entry trace stays a small payload).

export type TimelineEntry = {
  seq: number;
  ts: string;
  relMs: number;
  lane: string;
  to: string;
  outcome: "success" | "failure" | "denied";
  eventType: string;
  action: string | null;
  requesterId: string;
  targetId: string;
  reason: string | null;
  source: string;
  clockFinding: boolean;
  /** Personal fields whose value was erased (leaf v2); the tooltip and the list say so instead of a value. */
  erased: ErasedField[];
};

export type TimelineModel = {
  correlationId: string;
  start: string | null;
  durationMs: number;
  lanes: TraceLane[];
  gaps: TraceGap[];
  buckets: TraceBuckets | null;
  entries: TimelineEntry[];
};

export type { ClockFinding, TraceGraph };

export function toTimelineModel(t: Trace): TimelineModel {
  return {
    correlationId: t.correlationId,
    start: t.start,
    durationMs: t.durationMs,
    lanes: t.lanes,
    gaps: t.gaps,
    buckets: t.buckets,
    entries: t.entries.map((e) => ({
      seq: e.seq,
      ts: e.timestamp,
      relMs: e.relMs,
      lane: e.lane,
      to: e.to,
      outcome: e.outcome,
      eventType: e.eventType,
      action: e.action ?? null,
      // Absent once erased (leaf v2): `erased` says when and under which request.
      requesterId: e.requester.id ?? "",
      targetId: e.target.id,
      reason: e.reason ?? null,
      source: e.source,
      clockFinding: e.clockFinding === true,
      erased: e.erased ?? [],
    })),
  };
}

/** "+1.234 s", "+2 min 3.5 s", "+850 ms" — relative to the first event. */
export function formatRel(ms: number): string {
  const sign = ms < 0 ? "−" : "+";
  return sign + formatSpan(Math.abs(ms));
}

export function formatSpan(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 3 : 1).replace(/\.?0+$/, "")} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
  return `${Math.floor(ms / 86_400_000)} d ${Math.round((ms % 86_400_000) / 3_600_000)} h`;
}

// The explorer's names (its badges and chips show the stored value): one name per outcome everywhere.
export const OUTCOME_LABEL = { success: "success", failure: "failure", denied: "denied" } as const;

/** Like formatRel, to the millisecond: "+5 min 0.12 s" (the list and tooltips, where hops are ms apart). */
export function formatRelPrecise(ms: number): string {
  const a = Math.abs(ms);
  const sign = ms < 0 ? "−" : "+";
  if (a < 60_000) return formatRel(ms);
  const s = ((a % 60_000) / 1_000).toFixed(3).replace(/\.?0+$/, "");
  const m = Math.floor(a / 60_000);
  return m >= 60 ? `${sign}${Math.floor(m / 60)} h ${m % 60} min ${s} s` : `${sign}${m} min ${s} s`;
}
