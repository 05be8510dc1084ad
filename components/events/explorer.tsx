"use client";

import { Suspense, use, useCallback, useState } from "react";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import { filterToSearchParams, type FilterIssue, type Sort } from "@/lib/schemas/event-filter.ts";
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
import { LiveToggle, LiveStatus, useLiveTail } from "./live-tail.tsx";
import { SavedViews, type ViewActions } from "./saved-views.tsx";
import { PrunedNotice } from "@/components/retention/pruned-notice.tsx";
import type { ViewListItem } from "@/lib/server/views/service.ts";

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
  /** Saved views the user may open, the one the page was opened from, and whether they may save. */
  views: ViewListItem[];
  activeView: ViewListItem | null;
  canSaveViews: boolean;
  viewActions: ViewActions;
};

export function Explorer(props: ExplorerProps) {
  return (
    <ExplorerNavProvider query={props.query}>
      <ExplorerBody {...props} />
    </ExplorerNavProvider>
  );
}

/**
 * The filter a live tail watches: a preset's end (the next whole minute when the
 * page rendered) is dropped, or "the last 24 h" would stop matching a minute later.
 */
function tailQuery(props: ExplorerProps): string {
  const f = { ...props.filter };
  if (props.range !== null) delete f.to;
  return filterToSearchParams(f).toString();
}

function ExplorerBody(props: ExplorerProps) {
  const nav = useExplorerNav();
  const viewerZone = useViewerZone();
  const zone = props.tz === "utc" ? "UTC" : viewerZone;
  // Live belongs to the query it was turned on for: any filter change stops it.
  const [liveOf, setLiveOf] = useState<string | null>(null);
  const live = liveOf === props.query;
  const canLive = props.cursor === null && props.sort.startsWith("-");
  const sinceSeq = props.items.length ? Math.max(...props.items.map((i) => i.seq)) : null;
  const tableEl = useCallback(() => document.querySelector<HTMLElement>("[data-testid=events-table]"), []);
  const tail = useLiveTail(live, tailQuery(props), sinceSeq, tableEl);
  const toggleLive = () => {
    tail.reset();
    setLiveOf(live ? null : props.query);
  };
  return (
    <div className={`explorer-body${nav.pending ? " is-pending" : ""}`} aria-busy={nav.pending}>
      <div className="explorer-head">
        <h1>Events</h1>
        {/* Keys differ per boundary: siblings with one key are reconciled wrongly (old charts stayed). */}
        <Suspense key={`total:${props.query}`} fallback={<span className="muted">counting…</span>}>
          <MatchingTotal summary={props.summary} />
        </Suspense>
        {nav.pending && (
          <span className="badge" data-testid="explorer-pending">
            Loading…
          </span>
        )}
        <span className="spacer" />
        <LiveToggle on={live} disabled={!canLive} onToggle={toggleLive} />
        <SavedViews
          views={props.views}
          active={props.activeView}
          query={props.query}
          canSave={props.canSaveViews}
          actions={props.viewActions}
        />
        <Suspense key={`export:${props.query}`} fallback={null}>
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
        summary={props.summary}
      />
      <ActiveFilters filter={props.filter} range={props.range} ownActivity={props.ownActivity} />
      <Suspense key={props.query} fallback={<div className="explorer-charts" aria-busy="true" />}>
        <StreamedCharts summary={props.summary} zone={zone} />
        <StreamedPruned summary={props.summary} />
      </Suspense>
      {live && (
        <LiveStatus
          pending={tail.pending.length}
          error={tail.error}
          shown={tail.items.length}
          onShow={tail.showPending}
        />
      )}
      <EventsTable
        items={live ? [...tail.items, ...props.items] : props.items}
        sort={props.sort}
        cursor={props.cursor}
        nextCursor={props.nextCursor}
        zone={zone}
        viewerZone={viewerZone}
        showReason={!!props.filter.outcome?.length && !props.filter.outcome.includes("success")}
        viewColumns={props.activeView?.columns ?? null}
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

/** Pruned entries claimed in the range (issue 18): they match no filter, so the table alone would not show them. */
function StreamedPruned({ summary }: { summary: Promise<EventSummary> }) {
  return <PrunedNotice pruned={use(summary).pruned} range="in this time range" />;
}
