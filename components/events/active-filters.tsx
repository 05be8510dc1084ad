"use client";

import { EVENT_FILTER_KEYS, type EventFilter } from "@/lib/core/event-filter.ts";
import { useExplorerNav } from "./explorer-nav.tsx";
import { toggleListValue, type ParamChanges, type RangeId } from "./explorer-params.ts";
import { formatUtc } from "./time.ts";

// The filter in effect as removable chips (issue 15 item 6): what narrows the table
// is visible at a glance, each one a click away from gone. Lists give one chip per
// value. The preset is shown by the time buttons, so only absolute bounds get a chip.

// Time has its own chip and hiding Ledgerline's activity its own switch; every other member
// is named by its key in words (requesterType: "requester type") unless said here.
const NO_CHIP = new Set<keyof EventFilter>(["from", "to", "hideOwnActivity"]);
const SHORTER: Partial<Record<keyof EventFilter, string>> = {
  eventType: "type",
  correlationId: "correlation",
  seqFrom: "seq ≥",
  seqTo: "seq ≤",
  q: "text",
};
const labelOf = (k: keyof EventFilter) => SHORTER[k] ?? k.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);

type Chip = { key: string; label: string; value: string; remove: ParamChanges };

/** The chips of a filter, in the filter's own order. Pure (tested through the page). */
function chipsOf(f: EventFilter, range: RangeId | null, ownActivity: boolean): Chip[] {
  const chips: Chip[] = [];
  if (range === null && (f.from || f.to)) {
    chips.push({
      key: "time",
      label: "time",
      value: `${f.from ? formatUtc(f.from) : "…"} → ${f.to ? formatUtc(f.to) : "…"}`,
      remove: { from: null, to: null },
    });
  }
  for (const k of EVENT_FILTER_KEYS) {
    const v = f[k];
    if (v === undefined || NO_CHIP.has(k)) continue;
    const label = labelOf(k);
    if (Array.isArray(v)) {
      for (const one of v)
        chips.push({ key: `${k}-${one}`, label, value: one, remove: { [k]: toggleListValue(v, one) } });
    } else chips.push({ key: k, label, value: String(v), remove: { [k]: null } });
  }
  if (ownActivity && f.source === undefined)
    chips.push({ key: "own", label: "including", value: "Ledgerline's own activity", remove: { own: null } });
  return chips;
}

export function ActiveFilters({
  filter,
  range,
  ownActivity,
}: {
  filter: EventFilter;
  range: RangeId | null;
  ownActivity: boolean;
}) {
  const nav = useExplorerNav();
  const chips = chipsOf(filter, range, ownActivity);
  if (chips.length === 0) return null;
  return (
    <ul className="active-filters" aria-label="Filters in effect" data-testid="active-filters">
      {chips.map((c) => (
        <li key={c.key} className="active-filter" data-testid={`active-filter-${c.key}`}>
          <span className="muted">{c.label}</span> <span className="active-filter-value">{c.value}</span>
          <button
            type="button"
            className="active-filter-remove"
            aria-label={`Remove filter ${c.label} ${c.value}`}
            title="Remove this filter"
            onClick={() => nav.go(c.remove)}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
