"use client";

import { Suspense, use } from "react";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import type { FilterIssue, Sort } from "@/lib/schemas/event-filter.ts";
import type { EventItem, EventSummary } from "@/lib/server/events/search.ts";
import { EventsTable } from "./events-table.tsx";
import { ExplorerCharts } from "./explorer-charts.tsx";
import { ExplorerNavProvider, useExplorerNav, useViewerZone } from "./explorer-nav.tsx";
import type { RangeId, TimeZoneMode } from "./explorer-params.ts";
import { ExportBundleButton } from "@/components/bundles/export-bundle-button.tsx";
import { ActiveFilters } from "./active-filters.tsx";
import { ExportResults } from "./export-results.tsx";
import { FilterErrors } from "./filter-errors.tsx";
import { FilterBar } from "./filter-bar.tsx";

// The explorer's client side: serialized data in, URL changes out. Types only
// from lib/server (erased at build), never its code.

export type ExplorerProps = {
  query: string;
  filter: EventFilter;
  range: RangeId | null;
  tz: TimeZoneMode;
  ownActivity: boolean;
  /** Parameters of the link that could not be read: dropped from the query, marked in the filter bar. */
  urlErrors: FilterIssue[];
  sort: Sort;
  cursor: string | null;
  items: EventItem[];
  nextCursor: string | null;
  /**
   * The charts' data, still on its way: the server streams it in, so the table
   * (the answer to the search) never waits for the histogram and top lists.
   */
  summary: Promise<EventSummary>;
  canExport: boolean;
};

export function Explorer(props: ExplorerProps) {
  return (
    <ExplorerNavProvider query={props.query}>
      <ExplorerBody {...props} />
    </ExplorerNavProvider>
  );
}

function ExplorerBody(props: ExplorerProps) {
  const nav = useExplorerNav();
  const viewerZone = useViewerZone();
  const zone = props.tz === "utc" ? "UTC" : viewerZone;
  return (
    <div className={`explorer-body${nav.pending ? " is-pending" : ""}`} aria-busy={nav.pending}>
      <div className="explorer-head">
        <h1>Events</h1>
        <Suspense key={props.query} fallback={<span className="muted">counting…</span>}>
          <MatchingTotal summary={props.summary} />
        </Suspense>
        {nav.pending && (
          <span className="badge" data-testid="explorer-pending">
            Loading…
          </span>
        )}
        <span className="spacer" />
        <Suspense key={props.query} fallback={null}>
          <ExportResults filter={props.filter} sort={props.sort} summary={props.summary} />
        </Suspense>
        {props.canExport && <ExportBundleButton filter={props.filter} small />}
      </div>
      {props.urlErrors.length > 0 && <FilterErrors errors={props.urlErrors} dropped />}
      <FilterBar
        filter={props.filter}
        range={props.range}
        tz={props.tz}
        zone={zone}
        ownActivity={props.ownActivity}
        invalid={props.urlErrors.map((e) => e.param)}
      />
      <ActiveFilters filter={props.filter} range={props.range} ownActivity={props.ownActivity} />
      <Suspense key={props.query} fallback={<div className="explorer-charts" aria-busy="true" />}>
        <StreamedCharts summary={props.summary} zone={zone} />
      </Suspense>
      <EventsTable
        items={props.items}
        sort={props.sort}
        cursor={props.cursor}
        nextCursor={props.nextCursor}
        zone={zone}
        viewerZone={viewerZone}
        showReason={!!props.filter.outcome?.length && !props.filter.outcome.includes("success")}
      />
    </div>
  );
}

function MatchingTotal({ summary }: { summary: Promise<EventSummary> }) {
  const s = use(summary);
  return (
    <span className="muted" data-testid="explorer-total">
      {s.histogram.total.toLocaleString("en-US")} matching entries
    </span>
  );
}

function StreamedCharts({ summary, zone }: { summary: Promise<EventSummary>; zone: string }) {
  return <ExplorerCharts summary={use(summary)} zone={zone} />;
}
