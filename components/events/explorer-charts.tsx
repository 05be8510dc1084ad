"use client";

import { useMemo } from "react";
import type { EventSummary } from "@/lib/server/events/search.ts";
import { RankedList } from "@/components/charts/ranked-list.tsx";
import { StackedHistogram, type Series } from "@/components/charts/stacked-histogram.tsx";
import { FilterLink, useExplorerNav } from "./explorer-nav.tsx";
import { bucketNext, bucketSpan, fillBuckets, formatRate, zoomParams } from "./explorer-params.ts";
import { bucketLabel, formatInZone } from "./time.ts";

// Charts above the table, from the same resolved filter as the table (the server
// page computed both). A bar click or a drag zooms: it writes from/to into the URL.

const SERIES: Series[] = [
  { key: "success", label: "success", color: "#3f8f5f" },
  { key: "failure", label: "failure", color: "#d98a1c" },
  { key: "denied", label: "denied", color: "#c23a2b" },
];

const BUCKET_NAMES: Record<string, string> = { "1m": "1 minute", "10m": "10 minutes", "1h": "1 hour", "1d": "1 day", "1mo": "1 month" };

export function ExplorerCharts({ summary, zone }: { summary: EventSummary; zone: string }) {
  const nav = useExplorerNav();
  const h = summary.histogram;
  const utc = zone === "UTC";
  const data = useMemo(() => fillBuckets(h).map((b) => ({ key: b.start, success: b.success, failure: b.failure, denied: b.denied })), [h]);
  const zoom = (a: string, b: string) => {
    const { fromMs, toMs } = bucketSpan(a, b, h.bucket, h.bucketMs);
    nav.go(zoomParams(nav.current, fromMs, toMs));
  };
  const tooltipLabel = (k: string) => {
    const start = Date.parse(k);
    const end = bucketNext(start, h.bucket, h.bucketMs);
    return `${formatInZone(k, zone)} → ${formatInZone(new Date(end).toISOString(), zone)}`;
  };

  return (
    <div className="explorer-charts">
      <section className="card histogram-card">
        <div className="card-head">
          <h2>Events over time</h2>
          <span className="muted small-print">
            {BUCKET_NAMES[h.bucket] ?? h.bucket} per bar · click a bar or drag across bars to zoom
          </span>
        </div>
        {h.total === 0 ? (
          <div className="chart-empty" data-testid="histogram-empty">
            No events in this range for this filter.
          </div>
        ) : (
          <StackedHistogram
            data={data}
            series={SERIES}
            tickLabel={(k) => bucketLabel(k, h.bucket, utc)}
            tooltipLabel={tooltipLabel}
            onSelect={zoom}
            testId="histogram"
            ariaLabel={`Histogram of ${h.total} events by outcome, ${BUCKET_NAMES[h.bucket] ?? h.bucket} per bar`}
          />
        )}
      </section>

      <section className="card rates-card" data-testid="rates">
        <h2>Outcomes</h2>
        <div className="rate-grid">
          <div>
            <div className="stat" data-testid="denied-rate">
              {formatRate(h.denied, h.total)}
            </div>
            <div className="muted small-print">denied ({h.denied.toLocaleString("en-US")})</div>
          </div>
          <div>
            <div className="stat rate-failure">{formatRate(h.failure, h.total)}</div>
            <div className="muted small-print">failed ({h.failure.toLocaleString("en-US")})</div>
          </div>
          <div>
            <div className="stat rate-total">{h.total.toLocaleString("en-US")}</div>
            <div className="muted small-print">entries in range</div>
          </div>
        </div>
        {h.denied > 0 && (
          <FilterLink changes={{ outcome: ["denied"] }} className="btn small" testId="only-denied">
            Show only denied
          </FilterLink>
        )}
      </section>

      <section className="card">
        <h2>Top requesters</h2>
        {summary.topSample.sampled && <TopSampleNote newest={summary.topSample.newest} />}
        <RankedList
          testId="top-requesters"
          empty="No requesters for this filter."
          items={summary.topRequesters.map((t) => ({
            key: t.value,
            count: t.count,
            label: (
              <FilterLink changes={{ requester: t.value }} title={`Filter by requester ${t.value}`}>
                {t.value}
              </FilterLink>
            ),
          }))}
        />
      </section>

      <section className="card">
        <h2>Top targets</h2>
        {summary.topSample.sampled && <TopSampleNote newest={summary.topSample.newest} />}
        <RankedList
          testId="top-targets"
          empty="No targets for this filter."
          items={summary.topTargets.map((t) => ({
            key: t.value,
            count: t.count,
            label: (
              <FilterLink changes={{ target: t.value }} title={`Filter by target ${t.value}`}>
                {t.value}
              </FilterLink>
            ),
          }))}
        />
      </section>
    </div>
  );
}

/** Says that a top list counts only the newest entries of a large selection. */
function TopSampleNote({ newest }: { newest: number }) {
  return (
    <p className="muted small" data-testid="top-sample-note">
      Among the newest {newest.toLocaleString("en-US")} matching entries; narrow the filter for exact counts.
    </p>
  );
}
