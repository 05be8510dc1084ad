"use client";

import Link from "next/link";
import { useTable, type ReactTable, type SortingState } from "@tanstack/react-table";
import { useEffect, useMemo, useState } from "react";
import type { Sort } from "@/lib/schemas/event-filter.ts";
import type { EventItem } from "@/lib/server/events/search.ts";
import { Disclosure } from "@/components/ui/disclosure.tsx";
import { DEFAULT_HIDDEN, buildColumns, features } from "./events-columns.tsx";
import { COLUMNS_KEY, columnsCodec, visibilityOf } from "./column-preference.ts";
import { FilterLink, isModifiedClick, useExplorerNav } from "./explorer-nav.tsx";
import { toggleSort } from "./explorer-params.ts";
import { useLocalPreference } from "./use-local-preference.ts";
import { useRowKeyboardNav } from "./use-row-keyboard-nav.ts";

// The entries of one keyset page. The server filtered, sorted and paged them;
// TanStack Table owns columns, visibility and the sort indicator (manualSorting:
// the sort is a URL parameter like everything else). Columns: events-columns.tsx.

const DENSITY_KEY = "ledgerline.explorer.density";

// Preferences are per browser, not part of the shareable URL (a saved view carries its columns).
const densityCodec = {
  read: (s: string) => s === "compact",
  write: (dense: boolean) => (dense ? "compact" : "comfortable"),
};

type EventsTableModel = ReactTable<typeof features, EventItem>;

type Props = {
  items: EventItem[];
  sort: Sort;
  cursor: string | null;
  nextCursor: string | null;
  zone: string;
  viewerZone: string;
  /** Filtering only denials/failures: the reason is the answer, so its column shows whatever the saved choice. */
  showReason: boolean;
  /** The columns of the saved view the page was opened from: applied (and kept as this browser's choice). */
  viewColumns?: readonly string[] | null;
};

/** The clock for "3 min ago": null on the server and the first render (hydration), then every 30 s. */
function useNow(): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const id = setInterval(tick, 30_000);
    return () => {
      clearTimeout(first);
      clearInterval(id);
    };
  }, []);
  return now;
}

export function EventsTable({ items, sort, cursor, nextCursor, zone, viewerZone, showReason, viewColumns }: Props) {
  const nav = useExplorerNav();
  const nowMs = useNow();
  const columns = useMemo(() => buildColumns(zone, viewerZone, nowMs), [zone, viewerZone, nowMs]);
  const sorting = useMemo<SortingState>(() => [{ id: sort.replace(/^-/, ""), desc: sort.startsWith("-") }], [sort]);
  const [savedVisibility, setColumnVisibility] = useLocalPreference(COLUMNS_KEY, DEFAULT_HIDDEN, columnsCodec);
  const columnVisibility = useMemo(
    () => (showReason ? { ...savedVisibility, reason: true } : savedVisibility),
    [savedVisibility, showReason],
  );
  const [dense, setDense] = useLocalPreference(DENSITY_KEY, false, densityCodec);
  const viewKey = viewColumns?.join(",");
  useEffect(() => {
    // Opening a saved view restores its columns; after that the user's toggles win as usual.
    if (viewKey !== undefined) setColumnVisibility(visibilityOf(viewKey.split(",")));
  }, [viewKey, setColumnVisibility]);

  const table = useTable({
    features,
    columns,
    data: items,
    getRowId: (r) => String(r.seq),
    manualSorting: true,
    state: { sorting, columnVisibility },
    onColumnVisibilityChange: setColumnVisibility,
  });

  const rows = table.getRowModel().rows;
  const { focus, setFocus, rowRef } = useRowKeyboardNav({
    rows,
    open: (row) => nav.push(`/events/${row.original.seq}`),
    tableSelector: "[data-explorer-table]",
    resetOn: items,
  });

  return (
    <section className="card events-card" data-testid="events-table">
      <TableTools table={table} sort={sort} cursor={cursor} count={rows.length} dense={dense} setDense={setDense} />

      <div className="table-scroll" data-explorer-table="">
        <table className={`plain events${dense ? " dense" : ""}`}>
          <HeaderRows table={table} sort={sort} />
          <tbody>
            {rows.map((row, i) => (
              <tr
                key={row.id}
                ref={rowRef(i)}
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

      <Pager sort={sort} cursor={cursor} nextCursor={nextCursor} count={rows.length} />
    </section>
  );
}

function TableTools({
  table,
  sort,
  cursor,
  count,
  dense,
  setDense,
}: {
  table: EventsTableModel;
  sort: Sort;
  cursor: string | null;
  count: number;
  dense: boolean;
  setDense: (dense: boolean) => void;
}) {
  return (
    <div className="table-tools">
      <h2>Entries</h2>
      <span className="muted small-print">
        {count} on this page{cursor ? " (not the first)" : ""} · sorted by{" "}
        {sort.replace(/^-/, "") === "ts" ? "time" : "seq"} {sort.startsWith("-") ? "descending" : "ascending"} ·{" "}
        <kbd>j</kbd>/<kbd>k</kbd> move, <kbd>Enter</kbd> opens
      </span>
      <span className="spacer" />
      <button
        type="button"
        className="btn small"
        data-testid="density-toggle"
        aria-pressed={dense}
        onClick={() => setDense(!dense)}
      >
        {dense ? "Comfortable rows" : "Compact rows"}
      </button>
      <Disclosure
        className="column-chooser popup"
        testId="column-chooser"
        summary="Columns"
        summaryClassName="btn small"
      >
        <div className="column-menu popup-panel">
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
  );
}

/** Column headers; time and seq sort (a URL change), the others do not. */
function HeaderRows({ table, sort }: { table: EventsTableModel; sort: Sort }) {
  const nav = useExplorerNav();
  return (
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
  );
}

function Pager({
  sort,
  cursor,
  nextCursor,
  count,
}: {
  sort: Sort;
  cursor: string | null;
  nextCursor: string | null;
  count: number;
}) {
  const firstLabel = sort.startsWith("-")
    ? sort === "-ts"
      ? "Back to newest"
      : "Back to highest seq"
    : "Back to first page";
  return (
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
        count > 0 && <span className="muted small-print">End of the results.</span>
      )}
    </div>
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
        <Link className="btn small" href="/events">
          Clear all filters
        </Link>
      </div>
    </div>
  );
}
