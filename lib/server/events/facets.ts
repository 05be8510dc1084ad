import "server-only";
import { OWN_SOURCE_PREFIX, type EventFilter } from "@/lib/core/index.ts";
import { EVENT_TYPES, OUTCOMES, type EventType, type Outcome } from "@/lib/schemas/event.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { filterWhere } from "./filter-sql.ts";
import { queryHistogram, rollupSpan, timeAndOutcomeOnly, type Histogram } from "./query.ts";

// Facet counts on the outcome and type chips (issue 15 item 6), as Kibana and
// Datadog count them: for the current filter WITHOUT that facet's own
// constraint, so "denied 34 · success 205" still shows what a click on the
// other chip would add. Both are bounded by the filter's time range.
//
// Cost: the outcome facet is a histogram total — free when the filter has no
// outcome constraint (the page's histogram already is that count), else one
// more histogram, which reads the 10-minute rollup for a time-only filter. The
// type facet of a time (and outcome) filter reads the `type_counts` rollup; any
// other filter is one GROUP BY event_type over its rows (the index range the table
// walks).

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

type TypeRow = { t: string; n: number | string };

/** event_type × count of the entries `filter` selects, read from the entries (an index range of the filter). */
function countTypes(ledger: Ledger, filter: EventFilter, hint = ""): Promise<TypeRow[]> {
  const where = filterWhere(filter, ledger.db.dialect);
  return ledger.db.all<TypeRow>(
    `SELECT event_type AS t, COUNT(*) AS n FROM entries${hint} WHERE ${where.sql} GROUP BY event_type`,
    where.params,
  );
}

/**
 * A filter of time and outcome only (the explorer's default, with or without its own
 * activity) reads the aligned middle of its range from the `type_counts` rollup
 * (migration 0017) and only the partial 10-minute ends from the entries; the meta-audit
 * is subtracted through the source index, as the histogram does. Anything else counts
 * the filter's rows.
 */
async function typeRows(ledger: Ledger, filter: EventFilter): Promise<TypeRow[]> {
  const { hideOwnActivity, ...all } = filter;
  const { from, to } = filter;
  if (from === undefined || to === undefined || !timeAndOutcomeOnly(all)) return countTypes(ledger, filter);
  const span = rollupSpan(from, to, all.outcome);
  if (!span) return countTypes(ledger, filter);
  const ownHint = ledger.db.dialect === "sqlite" ? " INDEXED BY entries_source_event_id" : "";
  const [middle, head, tail, own] = await Promise.all([
    ledger.db.all<TypeRow>(
      `SELECT event_type AS t, SUM(n) AS n FROM type_counts WHERE ${span.where} GROUP BY event_type`,
      span.params,
    ),
    span.head ? countTypes(ledger, { ...all, to: span.loIso }) : [],
    span.tail ? countTypes(ledger, { ...all, from: span.hiIso }) : [],
    hideOwnActivity ? countTypes(ledger, { ...all, source: `${OWN_SOURCE_PREFIX}*` }, ownHint) : [],
  ]);
  return [...middle, ...head, ...tail, ...own.map((r) => ({ t: r.t, n: -Number(r.n) }))];
}

async function typeCounts(ledger: Ledger, filter: EventFilter): Promise<Record<EventType, number>> {
  const out = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>;
  for (const r of await typeRows(ledger, filter))
    if ((EVENT_TYPES as readonly string[]).includes(r.t)) out[r.t as EventType] += Number(r.n);
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
