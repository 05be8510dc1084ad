import type { EventFilter } from "@/lib/core/event-filter.ts";
import { filterToSearchParams } from "@/lib/schemas/event-filter.ts";

// Small pure helpers the bundle pages share (client-safe).

const LABELS: Record<string, string> = {
  eventType: "event type",
  outcome: "outcome",
  requesterType: "requester type",
  requester: "requester",
  target: "target",
  service: "service",
  source: "source",
  action: "action",
  correlationId: "correlation id",
  q: "text",
};

/**
 * A filter as people read it: "from … to … · outcome denied · service payments*";
 * a filter without time bounds says "all time" (the explorer's default is 7 days,
 * so silence would read as a range); "everything" when empty.
 */
export function describeFilter(f: EventFilter): string {
  const parts: string[] = [];
  if (!f.from && !f.to && Object.keys(f).length > 0) parts.push("all time");
  if (f.from || f.to)
    parts.push(
      `${f.from ? `from ${f.from.replace("T", " ").replace(/\.000Z$|Z$/, " UTC")}` : ""}${f.from && f.to ? " " : ""}${f.to ? `to ${f.to.replace("T", " ").replace(/\.000Z$|Z$/, " UTC")}` : ""}`,
    );
  if (f.seqFrom !== undefined || f.seqTo !== undefined) parts.push(`seq ${f.seqFrom ?? 1}…${f.seqTo ?? ""}`);
  for (const k of Object.keys(LABELS) as (keyof EventFilter)[]) {
    const v = f[k];
    if (v === undefined) continue;
    parts.push(`${LABELS[k]} ${Array.isArray(v) ? v.join(" or ") : k === "q" ? `“${String(v)}”` : String(v)}`);
  }
  return parts.length ? parts.join(" · ") : "everything";
}

/** The explorer showing the same selection (range=all when it has no time bounds, or the explorer's 7 days would apply). */
export function eventsHref(f: EventFilter): string {
  const sp = new URLSearchParams(f.from || f.to ? {} : { range: "all" });
  return `/events?${filterToSearchParams(f, sp).toString()}`;
}

export function formatBytes(n: number | null): string {
  if (n === null) return "—";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export const utc = (iso: string | null | undefined) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, " UTC") : "—");
