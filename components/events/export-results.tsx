"use client";

import { use } from "react";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import { EXPORT_FORMATS, EXPORT_LIMIT, filterToSearchParams, type Sort } from "@/lib/schemas/event-filter.ts";
import type { EventSummary } from "@/lib/server/events/search.ts";

// "Export the current results": plain download links to the streaming export
// (GET /api/v1/events/export), so the browser writes the file as it arrives and
// nothing is held in this page's memory. The filter is the one the table shows
// (the preset as resolved for this render). Past the export's limit the links are
// replaced by the way out: a signed evidence bundle, which has no limit.

export function exportHref(filter: EventFilter, sort: Sort, format: string): string {
  const sp = filterToSearchParams(filter);
  sp.set("format", format);
  sp.set("sort", sort);
  return `/api/v1/events/export?${sp.toString()}`;
}

export function ExportResults({
  filter,
  sort,
  summary,
}: {
  filter: EventFilter;
  sort: Sort;
  summary: Promise<EventSummary>;
}) {
  const total = use(summary).histogram.total;
  if (total > EXPORT_LIMIT)
    return (
      <span className="muted small-print" data-testid="export-results-too-many">
        Download: over {EXPORT_LIMIT.toLocaleString("en-US")} entries — narrow the filter or export an evidence bundle
      </span>
    );
  return (
    <span className="export-results" role="group" aria-label="Download these results" data-testid="export-results">
      <span className="muted">Download</span>
      {EXPORT_FORMATS.map((f) => (
        <a
          key={f}
          className="btn small"
          href={exportHref(filter, sort, f)}
          download
          data-testid={`export-results-${f}`}
          title={`The ${total.toLocaleString("en-US")} matching entries as ${f.toUpperCase()} (not signed: for evidence, export a bundle)`}
        >
          {f === "csv" ? "CSV" : "NDJSON"}
        </a>
      ))}
    </span>
  );
}
