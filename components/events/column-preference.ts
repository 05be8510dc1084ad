import type { ColumnVisibilityState } from "@tanstack/react-table";
import { EXPLORER_COLUMNS } from "@/lib/schemas/saved-view.ts";
import { DEFAULT_HIDDEN } from "./events-columns.tsx";

// The table's visible columns: a per-browser preference (localStorage), and what
// a saved view keeps. One module so the table and the "Save view" form agree.

export const COLUMNS_KEY = "ledgerline.explorer.columns";

export const columnsCodec = {
  read: (s: string) => ({ ...DEFAULT_HIDDEN, ...(JSON.parse(s) as ColumnVisibilityState) }),
  write: (v: ColumnVisibilityState) => JSON.stringify(v),
};

/** The ids of the visible columns in `v` (absent = visible, as TanStack Table reads it). */
export function visibleColumns(v: ColumnVisibilityState): string[] {
  return EXPLORER_COLUMNS.filter((c) => v[c] !== false);
}

/** The visibility state showing exactly `columns` (seq always: it is the row's link). */
export function visibilityOf(columns: readonly string[]): ColumnVisibilityState {
  return Object.fromEntries(EXPLORER_COLUMNS.map((c) => [c, c === "seq" || columns.includes(c)]));
}

/** This browser's current choice, read when the user saves a view. */
export function storedVisibleColumns(): string[] {
  try {
    const s = localStorage.getItem(COLUMNS_KEY);
    return visibleColumns(s === null ? DEFAULT_HIDDEN : columnsCodec.read(s));
  } catch {
    return visibleColumns(DEFAULT_HIDDEN);
  }
}
