"use client";

import { visibleText } from "@/components/ui/reveal-invisible.ts";
import { useMemo } from "react";
import type { EventSummary } from "@/lib/server/events/search.ts";
import { RankedList } from "@/components/charts/ranked-list.tsx";
import { Identifier, IdentifierText } from "@/components/ui/identifier.tsx";
import { StackedHistogram, type Series } from "@/components/charts/stacked-histogram.tsx";
import { FilterLink, useExplorerNav } from "./explorer-nav.tsx";
import { bucketNext, bucketSpan, fillBuckets, formatRate, zoomParams } from "./explorer-params.ts";
import { bucketLabel, formatInZone } from "./time.ts";

// Charts above the table, from the same resolved filter as the table (the server
// page computed both). A bar click or a drag zooms: it writes from/to into the URL.

const SERIES: Series[] = [
  { key: "success", label: "success", color: "var(--chart-success)" },
  { key: "failure", label: "failure", color: "var(--chart-failure)" },
  { key: "denied", label: "denied", color: "var(--chart-denied)" },
];

const BUCKET_NAMES: Record<string, string> = {
  "1m": "1 minute",
  "10m": "10 minutes",
  "1h": "1 hour",
  "1d": "1 day",
  "1mo": "1 month",
};

export function ExplorerCharts({ summary, zone }: { summary: EventSummary; zone: string }) {
  const h = summary.histogram;
  return (
    <div className="explorer-charts">
      <HistogramCard h={h} zone={zone} />
      <OutcomeRates h={h} />

      <TopCard
        title="Top requesters"
        testId="top-requesters"
        empty="No requesters for this filter."
        field="requester"
        items={summary.topRequesters}
        sample={summary.topSample}
      />
      <TopCard
        title="Top targets"
        testId="top-targets"
        empty="No targets for this filter."
        field="target"
        items={summary.topTargets}
        sample={summary.topSample}
      />
    </div>
  );
}

type Histogram = EventSummary["histogram"];

/** Entries over time, stacked by outcome; a bar click or a drag zooms into its time range. */
function HistogramCard({ h, zone }: { h: Histogram; zone: string }) {
  const nav = useExplorerNav();
  const utc = zone === "UTC";
  const data = useMemo(
    () => fillBuckets(h).map((b) => ({ key: b.start, success: b.success, failure: b.failure, denied: b.denied })),
    [h],
  );
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
    <section className="card histogram-card">
      <div className="card-head">
        <h2>Events over time</h2>
        <span className="muted small-print">
          {BUCKET_NAMES[h.bucket] ?? h.bucket} per bar · click a bar or drag across bars to zoom (or focus the chart:
          arrows, Shift, Enter)
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
  );
}

const RATES = [
  { label: "denied", count: (h: Histogram) => h.denied, className: "stat", testId: "denied-rate" },
  { label: "failed", count: (h: Histogram) => h.failure, className: "stat rate-failure", testId: undefined },
] as const;

/** The denied and failed shares of the selection, and its size. */
function OutcomeRates({ h }: { h: Histogram }) {
  return (
    <section className="card rates-card" data-testid="rates">
      <h2>Outcomes</h2>
      <div className="rate-grid">
        {RATES.map((r) => (
          <div key={r.label}>
            <div className={r.className} data-testid={r.testId}>
              {formatRate(r.count(h), h.total)}
            </div>
            <div className="muted small-print">
              {r.label} ({r.count(h).toLocaleString("en-US")})
            </div>
          </div>
        ))}
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
  );
}

/** A ranked list of requesters or targets; each one is a link that filters by it. */
function TopCard({
  title,
  testId,
  empty,
  field,
  items,
  sample,
}: {
  title: string;
  testId: string;
  empty: string;
  field: "requester" | "target";
  items: EventSummary["topRequesters"];
  sample: EventSummary["topSample"];
}) {
  return (
    <section className="card">
      <h2>{title}</h2>
      {sample.sampled && (
        <p className="muted small" data-testid="top-sample-note">
          Among the newest {sample.newest.toLocaleString("en-US")} matching entries; narrow the filter for exact counts.
        </p>
      )}
      <RankedList
        testId={testId}
        empty={empty}
        items={items.map((t) => ({
          key: t.value,
          count: t.count,
          label: (
            <Identifier value={t.value} copy={field}>
              <FilterLink changes={{ [field]: t.value }} title={`Filter by ${field} ${visibleText(t.value)}`}>
                <IdentifierText value={t.value} />
              </FilterLink>
            </Identifier>
          ),
        }))}
      />
    </section>
  );
}
