import "server-only";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import { EVENT_TYPES, OUTCOMES, type EventType, type Outcome } from "@/lib/schemas/event.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { filterWhere } from "./filter-sql.ts";
import { queryHistogram, type Histogram } from "./query.ts";

// Facet counts on the outcome and type chips (issue 15 item 6), as Kibana and
// Datadog count them: for the current filter WITHOUT that facet's own
// constraint, so "denied 34 · success 205" still shows what a click on the
// other chip would add. Both are bounded by the filter's time range.
//
// Cost: the outcome facet is a histogram total — free when the filter has no
// outcome constraint (the page's histogram already is that count), else one
// more histogram, which reads the 10-minute rollup for a time-only filter. The
// type facet is one GROUP BY event_type over the filter's rows (the same index
// range the table walks, every row of the range read once).

export type Facets = { outcome: Record<Outcome, number>; eventType: Record<EventType, number> };

function outcomeCounts(h: Histogram): Record<Outcome, number> {
  return { success: h.total - h.denied - h.failure, failure: h.failure, denied: h.denied };
}

/** The filter without one member (a facet's own constraint). */
function without<K extends keyof EventFilter>(filter: EventFilter, key: K): EventFilter {
  const copy = { ...filter };
  delete copy[key];
  return copy;
}

async function typeCounts(ledger: Ledger, filter: EventFilter): Promise<Record<EventType, number>> {
  const where = filterWhere(filter, ledger.db.dialect);
  const rows = await ledger.db.all<{ t: string; n: number | string }>(
    `SELECT event_type AS t, COUNT(*) AS n FROM entries WHERE ${where.sql} GROUP BY event_type`,
    where.params,
  );
  const out = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>;
  for (const r of rows) if ((EVENT_TYPES as readonly string[]).includes(r.t)) out[r.t as EventType] = Number(r.n);
  return out;
}

/** Counts per outcome and per event type for `filter`, each without its own constraint (no permission check). */
export async function queryFacets(ledger: Ledger, filter: EventFilter, histogram: Histogram): Promise<Facets> {
  const outcome = filter.outcome?.length
    ? outcomeCounts(await queryHistogram(ledger, without(filter, "outcome")))
    : outcomeCounts(histogram);
  const eventType = await typeCounts(ledger, without(filter, "eventType"));
  // OUTCOMES keeps the order the chips show.
  return { outcome: Object.fromEntries(OUTCOMES.map((o) => [o, outcome[o]])) as Record<Outcome, number>, eventType };
}
