"use client";

import { useId, useState } from "react";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import type { RangeId } from "./explorer-params.ts";
import "./filter-fold.css";

// The explorer's filter bar on a phone: at 390 px its fields stack to ~1 100 px
// before the first result, so below 720 px they fold behind a "Filters (n)" button
// (a real button with aria-expanded, so keyboard and screen readers get it for
// free); the removable chips under it (active-filters.tsx) keep every active
// filter in view — a summary line here repeated them word for word. Wider screens
// never see the button and always see the fields (CSS only, no layout shift).

/**
 * The filter as short "field: value" parts, the range first. Hiding Ledgerline's own activity is
 * the explorer's default, not a filter the user chose: only including it is listed.
 */
export function activeFilterParts(filter: EventFilter, range: RangeId | null, ownActivity = false): string[] {
  const parts: string[] = [];
  if (range) parts.push(range === "all" ? "all time" : `last ${range}`);
  for (const [k, v] of Object.entries(filter)) {
    if (v === undefined || k === "hideOwnActivity" || (range && (k === "from" || k === "to"))) continue;
    parts.push(`${k}: ${middleCut(Array.isArray(v) ? v.join(", ") : String(v))}`);
  }
  if (ownActivity) parts.push("with Ledgerline's own activity");
  return parts;
}

/** A long value (a 1 024-character SPIFFE id) cut in the middle: its distinguishing end stays. */
function middleCut(text: string, max = 48): string {
  if ([...text].length <= max) return text;
  const chars = [...text];
  const head = Math.ceil((max - 1) / 2);
  return `${chars.slice(0, head).join("")}…${chars.slice(chars.length - (max - 1 - head)).join("")}`;
}

export function FilterFold({
  filter,
  range,
  ownActivity,
  children,
}: {
  filter: EventFilter;
  range: RangeId | null;
  ownActivity: boolean;
  children: React.ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const body = useId();
  const parts = activeFilterParts(filter, range, ownActivity);
  return (
    <>
      <div className="filter-fold-head">
        <button
          type="button"
          className="btn small filter-fold-toggle"
          aria-expanded={open}
          aria-controls={body}
          data-testid="filter-fold-toggle"
          onClick={() => setOpen((o) => !o)}
        >
          {open ? "Hide filters" : "Filters"} ({parts.length})
        </button>
      </div>
      <div id={body} className="filter-fold-body" data-open={open ? "" : undefined}>
        {children}
      </div>
    </>
  );
}
