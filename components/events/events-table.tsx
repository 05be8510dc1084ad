"use client";

import {
  columnVisibilityFeature,
  createColumnHelper,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type ColumnVisibilityState,
  type SortingState,
} from "@tanstack/react-table";
import Link from "next/link";
import { useEffect, useMemo, useRef, useState } from "react";
import type { Sort } from "@/lib/schemas/event-filter.ts";
import type { EventItem } from "@/lib/server/events/search.ts";
import { CopyButton } from "@/components/ui/copy-button.tsx";
import { Disclosure } from "@/components/ui/disclosure.tsx";
import { Identifier, IdentifierText } from "@/components/ui/identifier.tsx";
import { FilterLink, isModifiedClick, useExplorerNav } from "./explorer-nav.tsx";
import { toggleSort } from "./explorer-params.ts";
import { bothZones, formatInZone } from "./time.ts";

// The entries of one keyset page. The server filtered, sorted and paged them;
// TanStack Table owns columns, visibility and the sort indicator (manualSorting:
// the sort is a URL parameter like everything else).

const features = tableFeatures({ columnVisibilityFeature, rowSortingFeature });
const helper = createColumnHelper<typeof features, EventItem>();

const DEFAULT_HIDDEN: ColumnVisibilityState = {
  source: false,
  requesterType: false,
  id: false,
  leafHash: false,
  reason: false,
};
const COLUMNS_KEY = "ledgerline.explorer.columns";
const DENSITY_KEY = "ledgerline.explorer.density";

function buildColumns(zone: string, viewerZone: string) {
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
        <time dateTime={c.getValue()} title={bothZones(c.getValue(), viewerZone)} className="nowrap mono">
          {formatInZone(c.getValue(), zone, false)}
        </time>
      ),
    }),
    helper.accessor("eventType", {
      header: "Type",
      enableSorting: false,
      cell: (c) => (
        <FilterLink changes={{ eventType: [c.getValue()] }} title="Show only this type" className="badge plain-link">
          {c.getValue()}
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
    helper.accessor((r) => r.requester.id, {
      id: "requester",
      header: "Requester",
      enableSorting: false,
      cell: (c) => (
        <Identifier value={c.getValue()} copy="requester" className="cell-wide">
          <FilterLink
            changes={{ requester: c.getValue() }}
            title={`Filter by requester ${c.getValue()}`}
            testId="row-requester"
          >
            <IdentifierText value={c.getValue()} />
          </FilterLink>
        </Identifier>
      ),
    }),
    helper.accessor((r) => r.requester.type, { id: "requesterType", header: "Requester type", enableSorting: false }),
    helper.accessor((r) => r.target.id, {
      id: "target",
      header: "Target",
      enableSorting: false,
      cell: (c) => (
        <Identifier value={c.getValue()} copy="target" className="cell-wide">
          <FilterLink changes={{ target: c.getValue() }} title={`Filter by target ${c.getValue()}`} testId="row-target">
            <IdentifierText value={c.getValue()} />
          </FilterLink>
        </Identifier>
      ),
    }),
    helper.accessor((r) => r.target.service ?? "", {
      id: "service",
      header: "Service",
      enableSorting: false,
      cell: (c) =>
        c.getValue() ? (
          <Identifier value={c.getValue()} copy={false} className="cell-narrow">
            <FilterLink changes={{ service: c.getValue() }} title={`Filter by service ${c.getValue()}`}>
              <IdentifierText value={c.getValue()} />
            </FilterLink>
          </Identifier>
        ) : (
          <span className="muted">—</span>
        ),
    }),
    helper.accessor((r) => r.action ?? "", {
      id: "action",
      header: "Action",
      enableSorting: false,
      cell: (c) =>
        c.getValue() ? (
          <FilterLink changes={{ action: c.getValue() }} title={`Filter by action ${c.getValue()}`} className="clip">
            {c.getValue()}
          </FilterLink>
        ) : (
          <span className="muted">—</span>
        ),
    }),
    helper.accessor("source", {
      header: "Source",
      enableSorting: false,
      cell: (c) => (
        <Identifier value={c.getValue()} copy="source" className="cell-wide">
          <FilterLink changes={{ source: c.getValue() }} title={`Filter by source ${c.getValue()}`}>
            <IdentifierText value={c.getValue()} />
          </FilterLink>
        </Identifier>
      ),
    }),
    helper.accessor((r) => r.correlationId ?? "", {
      id: "correlationId",
      header: "Correlation",
      enableSorting: false,
      cell: (c) =>
        c.getValue() ? (
          <span className="nowrap cell-row">
            <Identifier value={c.getValue()} copy="correlation ID" className="cell-narrow">
              <a
                href={`/trace/${encodeURIComponent(c.getValue())}`}
                className="mono"
                title={`Open the timeline of ${c.getValue()}`}
              >
                <IdentifierText value={c.getValue()} />
              </a>
            </Identifier>
            <FilterLink
              changes={{ correlationId: c.getValue() }}
              className="mini-link"
              title="Filter by this correlation ID"
            >
              filter
            </FilterLink>
          </span>
        ) : (
          <span className="muted">—</span>
        ),
    }),
    helper.accessor("id", {
      header: "Event ID",
      enableSorting: false,
      cell: (c) => <Identifier value={c.getValue()} copy="event ID" className="mono cell-narrow" />,
    }),
    helper.accessor("leafHash", {
      header: "Leaf hash",
      enableSorting: false,
      cell: (c) => <Identifier value={c.getValue()} copy="leaf hash" className="mono cell-narrow" />,
    }),
    helper.accessor((r) => r.reason ?? "", {
      id: "reason",
      header: "Reason",
      enableSorting: false,
      cell: (c) => (
        <span className="clip clip-wide" title={c.getValue()}>
          {c.getValue()}
        </span>
      ),
    }),
  ]);
}

type Props = {
  items: EventItem[];
  sort: Sort;
  cursor: string | null;
  nextCursor: string | null;
  zone: string;
  viewerZone: string;
};

export function EventsTable({ items, sort, cursor, nextCursor, zone, viewerZone }: Props) {
  const nav = useExplorerNav();
  const columns = useMemo(() => buildColumns(zone, viewerZone), [zone, viewerZone]);
  const sorting = useMemo<SortingState>(() => [{ id: sort.replace(/^-/, ""), desc: sort.startsWith("-") }], [sort]);
  const [columnVisibility, setColumnVisibility] = useState<ColumnVisibilityState>(DEFAULT_HIDDEN);
  const [dense, setDense] = useState(false);
  const [focus, setFocus] = useState(-1);
  const rowRefs = useRef<(HTMLTableRowElement | null)[]>([]);

  // Preferences are per browser, not part of the shareable URL: read after mount
  // so the server-rendered markup and the first client render agree.
  useEffect(() => {
    try {
      const saved = localStorage.getItem(COLUMNS_KEY);
      if (saved) setColumnVisibility({ ...DEFAULT_HIDDEN, ...(JSON.parse(saved) as ColumnVisibilityState) });
      setDense(localStorage.getItem(DENSITY_KEY) === "compact");
    } catch {
      // private mode or corrupt value: keep the defaults
    }
  }, []);

  const table = useTable({
    features,
    columns,
    data: items,
    getRowId: (r) => String(r.seq),
    manualSorting: true,
    state: { sorting, columnVisibility },
    onColumnVisibilityChange: (updater) => {
      setColumnVisibility((prev) => {
        const next = typeof updater === "function" ? updater(prev) : updater;
        try {
          localStorage.setItem(COLUMNS_KEY, JSON.stringify(next));
        } catch {
          // preferences are best effort
        }
        return next;
      });
    },
  });

  const rows = table.getRowModel().rows;

  // A new page starts without a focused row.
  useEffect(() => setFocus(-1), [items]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t?.closest("input, textarea, select, [contenteditable=true], details")) return;
      const inTable = !!t?.closest("[data-explorer-table]");
      const down = e.key === "j" || (inTable && e.key === "ArrowDown");
      const up = e.key === "k" || (inTable && e.key === "ArrowUp");
      if (down || up) {
        if (rows.length === 0) return;
        e.preventDefault();
        const next = Math.min(rows.length - 1, Math.max(0, focus < 0 ? 0 : focus + (down ? 1 : -1)));
        setFocus(next);
        rowRefs.current[next]?.focus();
      } else if (e.key === "Enter" && focus >= 0 && (t?.tagName === "TR" || t === document.body)) {
        const row = rows[focus];
        if (row) {
          e.preventDefault();
          nav.push(`/events/${row.original.seq}`);
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [rows, focus, nav]);

  const firstLabel = sort.startsWith("-")
    ? sort === "-ts"
      ? "Back to newest"
      : "Back to highest seq"
    : "Back to first page";

  return (
    <section className="card events-card" data-testid="events-table">
      <div className="table-tools">
        <h2>Entries</h2>
        <span className="muted small-print">
          {rows.length} on this page{cursor ? " (not the first)" : ""} · sorted by{" "}
          {sort.replace(/^-/, "") === "ts" ? "time" : "seq"} {sort.startsWith("-") ? "descending" : "ascending"} ·{" "}
          <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="btn small"
          data-testid="density-toggle"
          aria-pressed={dense}
          onClick={() => {
            const next = !dense;
            setDense(next);
            try {
              localStorage.setItem(DENSITY_KEY, next ? "compact" : "comfortable");
            } catch {
              // best effort
            }
          }}
        >
          {dense ? "Comfortable rows" : "Compact rows"}
        </button>
        <Disclosure className="column-chooser" testId="column-chooser" summary="Columns" summaryClassName="btn small">
          <div className="column-menu">
            {table.getAllLeafColumns().map((col) => (
              <label key={col.id} className="check">
                <input
                  type="checkbox"
                  checked={col.getIsVisible()}
                  onChange={() => col.toggleVisibility()}
                  data-testid={`column-toggle-${col.id}`}
                  disabled={col.id === "seq"}
                />
                {typeof col.columnDef.header === "string" ? col.columnDef.header : col.id}
              </label>
            ))}
          </div>
        </Disclosure>
      </div>

      <div className="table-scroll" data-explorer-table="">
        <table className={`plain events${dense ? " dense" : ""}`}>
          <thead>
            {table.getHeaderGroups().map((g) => (
              <tr key={g.id}>
                {g.headers.map((h) => {
                  const sortable = h.column.id === "ts" || h.column.id === "seq";
                  const dir = h.column.getIsSorted();
                  return (
                    <th key={h.id} aria-sort={dir === "asc" ? "ascending" : dir === "desc" ? "descending" : undefined}>
                      {sortable ? (
                        <button
                          type="button"
                          className="sort-btn"
                          data-testid={`sort-${h.column.id}`}
                          title="Sort by this column (click again to reverse)"
                          onClick={() => nav.go({ sort: toggleSort(sort, h.column.id as "ts" | "seq") })}
                        >
                          <table.FlexRender header={h} />
                          <span aria-hidden="true">{dir === "asc" ? " ▲" : dir === "desc" ? " ▼" : " ↕"}</span>
                        </button>
                      ) : (
                        <table.FlexRender header={h} />
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr
                key={row.id}
                ref={(el) => {
                  rowRefs.current[i] = el;
                }}
                tabIndex={-1}
                className={i === focus ? "focused" : undefined}
                aria-selected={i === focus}
                data-testid="event-row"
                data-seq={row.original.seq}
                onClick={(e) => {
                  if (isModifiedClick(e)) return;
                  setFocus(i);
                }}
                onDoubleClick={() => nav.push(`/events/${row.original.seq}`)}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id}>
                    <table.FlexRender cell={cell} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <EmptyState paged={!!cursor} />}
      </div>

      <div className="pager">
        {cursor && (
          <FilterLink changes={{ cursor: null }} className="btn small" testId="first-page">
            ← {firstLabel}
          </FilterLink>
        )}
        <span className="spacer" />
        {nextCursor ? (
          <FilterLink changes={{ cursor: nextCursor }} className="btn small" testId="next-page">
            Next page →
          </FilterLink>
        ) : (
          rows.length > 0 && <span className="muted small-print">End of the results.</span>
        )}
      </div>
    </section>
  );
}

function EmptyState({ paged }: { paged: boolean }) {
  const nav = useExplorerNav();
  const hasRange = nav.current.get("range") !== "all";
  return (
    <div className="empty" data-testid="events-empty">
      <strong>{paged ? "No more entries on this page." : "No entries match this filter."}</strong>
      <p className="muted">
        {paged
          ? "The results ended exactly at the previous page."
          : "Entries are found by their claimed time: widen the time range or loosen a filter."}
      </p>
      <div className="inline">
        {hasRange && (
          <FilterLink changes={{ range: "all" }} className="btn small">
            Search all time
          </FilterLink>
        )}
        <a className="btn small" href="/events">
          Clear all filters
        </a>
      </div>
    </div>
  );
}
