"use client";

import {
  columnVisibilityFeature,
  createColumnHelper,
  rowSortingFeature,
  tableFeatures,
  type CellContext,
  type ColumnVisibilityState,
} from "@tanstack/react-table";
import Link from "next/link";
import type { EventItem } from "@/lib/server/events/search.ts";
import { CopyButton } from "@/components/ui/copy-button.tsx";
import { FilterLink } from "./explorer-nav.tsx";
import { bothZones, formatInZone, formatRelative } from "./time.ts";
import { VisibleText } from "@/components/ui/visible-text.tsx";
import { Identifier, IdentifierText } from "@/components/ui/identifier.tsx";
import { visibleText } from "@/components/ui/reveal-invisible.ts";
import { ErasedMarker, erasedAt } from "@/components/retention/erased-fields.tsx";

// The explorer table's columns: what each shows and which filter a click on it sets.

export const features = tableFeatures({ columnVisibilityFeature, rowSortingFeature });
const helper = createColumnHelper<typeof features, EventItem>();

export const DEFAULT_HIDDEN: ColumnVisibilityState = {
  source: false,
  requesterType: false,
  id: false,
  leafHash: false,
  reason: false,
};

type Cell = CellContext<typeof features, EventItem, string>;
type FilterField = "requester" | "target" | "service" | "action" | "source";

type IdentOptions = { copy: string | false; width: "cell-wide" | "cell-narrow" };

/** An erased personal field's marker (leaf v2: value and salt deleted by a receipt), or null when the value is kept. */
function erasedCell(c: Cell, pointer: string): React.ReactNode {
  const f = erasedAt(c.row.original.erased, pointer);
  return f ? <ErasedMarker f={f} compact /> : null;
}

/**
 * A value that filters by itself when clicked; "—" for an absent optional one, the erasure
 * marker for a committed field (`pointer`) whose value was erased. An identifier
 * (`ident`) is cut in the middle to its cell, whole on hover and focus, with a copy button.
 */
function filterCell(
  field: FilterField,
  opts: { className?: string; testId?: string; optional?: boolean; ident?: IdentOptions; pointer?: string } = {},
) {
  return function FilterCell(c: Cell) {
    const erased = opts.pointer ? erasedCell(c, opts.pointer) : null;
    if (erased) return erased;
    const v = c.getValue();
    if (opts.optional && !v) return <span className="muted">—</span>;
    const title = `Filter by ${field} ${visibleText(v)}`;
    if (opts.ident) {
      return (
        <Identifier value={v} copy={opts.ident.copy} className={opts.ident.width}>
          <FilterLink changes={{ [field]: v }} title={title} testId={opts.testId}>
            <IdentifierText value={v} />
          </FilterLink>
        </Identifier>
      );
    }
    return (
      <FilterLink changes={{ [field]: v }} title={title} className={opts.className} testId={opts.testId}>
        <VisibleText text={v} />
      </FilterLink>
    );
  };
}

/** A long identifier (event id, leaf hash): cut in the middle, whole on hover and focus, with a copy button. */
function hashCell(label: string) {
  return function HashCell(c: Cell) {
    return <Identifier value={c.getValue()} copy={label} className="mono cell-narrow" />;
  };
}

function CorrelationCell(c: Cell) {
  const v = c.getValue();
  if (!v) return <span className="muted">—</span>;
  return (
    <span className="nowrap cell-row">
      <Identifier value={v} copy="correlation ID" className="cell-narrow">
        <a href={`/trace/${encodeURIComponent(v)}`} className="mono" title={`Open the timeline of ${visibleText(v)}`}>
          <IdentifierText value={v} />
        </a>
      </Identifier>
      <FilterLink changes={{ correlationId: v }} className="mini-link" title="Filter by this correlation ID">
        filter
      </FilterLink>
    </span>
  );
}

/** `nowMs` is null until the page is in the browser: a relative time rendered on the server would not hydrate. */
export function buildColumns(zone: string, viewerZone: string, nowMs: number | null = null) {
  return helper.columns([
    helper.accessor("seq", {
      header: "Seq",
      cell: (c) => (
        <span className="nowrap">
          {/* No prefetch: a hundred rows would be a hundred detail renders, each an audited view. */}
          <Link href={`/events/${c.getValue()}`} prefetch={false} className="mono" data-testid="row-seq">
            {c.getValue()}
          </Link>
          <CopyButton value={String(c.getValue())} label="seq" />
        </span>
      ),
    }),
    helper.accessor("timestamp", {
      id: "ts",
      // The zone once in the header, not in every row: narrower, and the tooltip has both readings.
      header: zone === "UTC" ? "Time (UTC)" : `Time (${zone})`,
      cell: (c) => (
        <span className="nowrap">
          <time dateTime={c.getValue()} title={bothZones(c.getValue(), viewerZone)} className="mono">
            {formatInZone(c.getValue(), zone, false)}
          </time>
          {nowMs !== null && (
            <span className="muted rel-time" data-testid="row-relative-time">
              {" "}
              · {formatRelative(c.getValue(), nowMs)}
            </span>
          )}
        </span>
      ),
    }),
    helper.accessor("eventType", {
      header: "Type",
      enableSorting: false,
      cell: (c) => (
        <FilterLink changes={{ eventType: [c.getValue()] }} title="Show only this type" className="badge plain-link">
          <VisibleText text={c.getValue()} />
        </FilterLink>
      ),
    }),
    helper.accessor("outcome", {
      header: "Outcome",
      enableSorting: false,
      cell: (c) => (
        <FilterLink
          changes={{ outcome: [c.getValue()] }}
          title="Show only this outcome"
          className={`badge plain-link outcome-${c.getValue()}`}
        >
          <span data-testid="row-outcome">{c.getValue()}</span>
        </FilterLink>
      ),
    }),
    // An erased requester id is absent from the item (leaf v2); its cell shows the erasure.
    helper.accessor((r) => r.requester.id ?? "", {
      id: "requester",
      header: "Requester",
      enableSorting: false,
      cell: filterCell("requester", {
        testId: "row-requester",
        ident: { copy: "requester", width: "cell-wide" },
        pointer: "/requester/id",
      }),
    }),
    helper.accessor((r) => r.requester.type, { id: "requesterType", header: "Requester type", enableSorting: false }),
    helper.accessor((r) => r.target.id, {
      id: "target",
      header: "Target",
      enableSorting: false,
      cell: filterCell("target", { testId: "row-target", ident: { copy: "target", width: "cell-wide" } }),
    }),
    helper.accessor((r) => r.target.service ?? "", {
      id: "service",
      header: "Service",
      enableSorting: false,
      cell: filterCell("service", { optional: true, ident: { copy: false, width: "cell-narrow" } }),
    }),
    helper.accessor((r) => r.action ?? "", {
      id: "action",
      header: "Action",
      enableSorting: false,
      cell: filterCell("action", { className: "clip", optional: true }),
    }),
    helper.accessor("source", {
      header: "Source",
      enableSorting: false,
      cell: filterCell("source", { ident: { copy: "source", width: "cell-wide" } }),
    }),
    helper.accessor((r) => r.correlationId ?? "", {
      id: "correlationId",
      header: "Correlation",
      enableSorting: false,
      cell: CorrelationCell,
    }),
    helper.accessor("id", { header: "Event ID", enableSorting: false, cell: hashCell("event ID") }),
    helper.accessor("leafHash", { header: "Leaf hash", enableSorting: false, cell: hashCell("leaf hash") }),
    helper.accessor((r) => r.reason ?? "", {
      id: "reason",
      header: "Reason",
      enableSorting: false,
      cell: (c) =>
        erasedCell(c, "/reason") ?? (
          <span className="clip clip-wide" title={visibleText(c.getValue())}>
            <VisibleText text={c.getValue()} />
          </span>
        ),
    }),
  ]);
}
