"use client";

import { Suspense, use, useRef, useState } from "react";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import { EVENT_TYPES, OUTCOMES, REQUESTER_TYPES } from "@/lib/schemas/event.ts";
import type { EventSummary } from "@/lib/server/events/search.ts";
import { useExplorerNav } from "./explorer-nav.tsx";
import { FilterFold } from "./filter-fold.tsx";
import { rememberZone } from "./zone-choice.ts";
import {
  asksForOwnActivity,
  explorerHref,
  OWN_INCLUDE,
  RANGE_PRESETS,
  toggleListValue,
  type ParamChanges,
  type RangeId,
  type TimeZoneMode,
} from "./explorer-params.ts";
import { formatInZone, formatUtc, fromInputValue, toInputValue } from "./time.ts";

// The filter bar edits a draft (the form) and applies it as one URL change.
// Presets, chips and the zone toggle apply at once, together with whatever the
// text fields hold, so nothing typed is lost by clicking a chip.

const TEXT_FIELDS = [
  { name: "requester", label: "Requester", hint: "exact, prefix*, !negated" },
  { name: "target", label: "Target", hint: "exact, prefix*, !negated" },
  { name: "service", label: "Target service", hint: "payments, pay*, !payments" },
  { name: "source", label: "Source", hint: "ingest identity" },
  { name: "action", label: "Action", hint: "SELECT*, !GET*" },
  { name: "correlationId", label: "Correlation ID", hint: "exact" },
  { name: "q", label: "Text", hint: "in reason or attributes" },
] as const;

/** The chip rows; `counted` ones show the facet counts of the charts' summary. */
const CHIP_GROUPS = [
  { field: "outcome", values: OUTCOMES, label: "Outcome", counted: true },
  { field: "eventType", values: EVENT_TYPES, label: "Type", counted: true },
  { field: "requesterType", values: REQUESTER_TYPES, label: "Requester type", counted: false },
] as const;

type Props = {
  filter: EventFilter;
  range: RangeId | null;
  tz: TimeZoneMode;
  zone: string;
  ownActivity: boolean;
  /** Parameters of the link that were not valid (left out of the query): their fields are marked. */
  invalid?: string[];
  /** The charts' data, streaming in: its facet counts label the outcome and type chips. */
  summary?: Promise<EventSummary>;
};

export function FilterBar(props: Props) {
  const nav = useExplorerNav();
  // Remount on every new URL (Back, a chart click) and when the zone is known, so
  // the inputs always show the filter in effect in the zone in effect.
  // On phones the form folds behind "Filters (n)", the active filters kept in view (filter-fold.tsx).
  return (
    <FilterFold filter={props.filter} range={props.range} ownActivity={props.ownActivity}>
      <FilterForm key={`${nav.current.toString()}|${props.zone}`} {...props} />
    </FilterFold>
  );
}

function FilterForm({ filter, range, tz, zone, ownActivity, invalid = [], summary }: Props) {
  const bad = (name: string) => (invalid.includes(name) ? true : undefined);
  const nav = useExplorerNav();
  const form = useRef<HTMLFormElement>(null);
  const utc = zone === "UTC";
  // The time fields as they were mounted, not as the latest render resolved the
  // preset: a re-render in the next minute moves filter.from/to while the fields
  // still show the old text, and comparing with the new props would read that as
  // an edit and freeze "last 24 h" into absolute bounds (issue 15 item 3).
  const [mounted] = useState(() => ({ from: toInputValue(filter.from, utc), to: toInputValue(filter.to, utc) }));
  const initialFrom = mounted.from;
  const initialTo = mounted.to;
  const [problem, setProblem] = useState<string | null>(null);

  function apply(overrides: ParamChanges = {}) {
    const el = form.current;
    if (!el) return;
    const draft = draftChanges(new FormData(el), mounted, utc);
    if (typeof draft === "string") return setProblem(draft);
    setProblem(null);
    nav.go({ ...draft, ...overrides });
  }

  return (
    <form
      ref={form}
      className="card filter-bar"
      data-testid="filter-bar"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <div className="filter-row">
        <RangePresets range={range} invalid={bad("range")} />
        {/* Plain text, one tab stop each (a datetime-local field is seven or eight in Chromium). */}
        <DateField name="from" label="From" defaultValue={initialFrom} invalid={bad("from")} />
        <DateField name="to" label="To" defaultValue={initialTo} invalid={bad("to")} />
        <span id="date-fields-hint" className="sr-only">
          {utc ? "In UTC" : `In your time zone, ${zone}`}; To is exclusive.
        </span>
        <ZoneToggle tz={tz} />
        <RangeSummary filter={filter} range={range} zone={zone} />
      </div>

      <div className="filter-row">
        {CHIP_GROUPS.map(({ counted, ...g }) => (
          <Chips
            key={g.field}
            {...g}
            filter={filter}
            apply={apply}
            invalid={bad(g.field)}
            summary={counted ? summary : undefined}
          />
        ))}
        <OwnActivityToggle shown={ownActivity} source={filter.source} apply={apply} />
      </div>

      <TextFields filter={filter} invalid={invalid} />
      <ApplyRow tz={tz} problem={problem} />
    </form>
  );
}

/**
 * The URL changes the form's draft asks for, or what is wrong with it. The time fields
 * only count when edited, so a preset range stays a preset until someone types a time.
 */
function draftChanges(fd: FormData, initial: { from: string; to: string }, utc: boolean): ParamChanges | string {
  const text = (n: string) => String(fd.get(n) ?? "").trim();
  const changes: ParamChanges = {};
  for (const f of TEXT_FIELDS) changes[f.name] = text(f.name) || null;
  changes.seqFrom = text("seqFrom") || null;
  changes.seqTo = text("seqTo") || null;
  const fromV = text("from");
  const toV = text("to");
  if (fromV !== initial.from || toV !== initial.to) {
    const from = fromV ? fromInputValue(fromV, utc) : null;
    const to = toV ? fromInputValue(toV, utc) : null;
    if ((fromV && !from) || (toV && !to))
      return "From and To must be dates, with a time if you like: 2026-11-27 or 2026-11-27 13:00:05.";
    if (!from && !to) changes.range = "all";
    else Object.assign(changes, { range: null, from, to });
  }
  return changes;
}

function RangePresets({ range, invalid }: { range: RangeId | null; invalid?: boolean }) {
  const nav = useExplorerNav();
  return (
    <div
      className="segmented"
      role="group"
      aria-label={invalid ? "Time range (the link's value was not valid)" : "Time range"}
      data-invalid={invalid}
    >
      {RANGE_PRESETS.map((p) => (
        <button
          key={p.id}
          type="button"
          className={range === p.id ? "on" : ""}
          aria-pressed={range === p.id}
          data-testid={`preset-${p.id}`}
          onClick={() => nav.go({ range: p.id })}
        >
          {p.label}
        </button>
      ))}
    </div>
  );
}

const ZONES = [
  { mode: "local", label: "Local", param: null },
  { mode: "utc", label: "UTC", param: "utc" },
] as const;

function ZoneToggle({ tz }: { tz: TimeZoneMode }) {
  const nav = useExplorerNav();
  return (
    <div className="segmented" role="group" aria-label="Show times in">
      {ZONES.map((z) => (
        <button
          key={z.mode}
          type="button"
          className={tz === z.mode ? "on" : ""}
          aria-pressed={tz === z.mode}
          data-testid={`tz-${z.mode}`}
          onClick={() => {
            rememberZone(z.mode); // the trace pages show the same choice (zone-choice.ts)
            nav.go({ tz: z.param });
          }}
        >
          {z.label}
        </button>
      ))}
    </div>
  );
}

/** A time bound, typed in the zone in effect (see date-fields-hint). */
function DateField({
  name,
  label,
  defaultValue,
  invalid,
}: {
  name: "from" | "to";
  label: string;
  defaultValue: string;
  invalid?: boolean;
}) {
  return (
    <label className="inline-label">
      {label}
      <input
        name={name}
        defaultValue={defaultValue}
        placeholder="YYYY-MM-DD hh:mm:ss"
        className="date-field mono"
        aria-invalid={invalid}
        data-testid={`filter-${name}`}
        aria-describedby="date-fields-hint"
        spellCheck={false}
        autoComplete="off"
      />
    </label>
  );
}

function Chips({
  field,
  values,
  label,
  filter,
  apply,
  invalid,
  summary,
}: {
  field: "eventType" | "outcome" | "requesterType";
  values: readonly string[];
  label: string;
  filter: EventFilter;
  apply: (overrides: ParamChanges) => void;
  invalid?: boolean;
  summary?: Promise<EventSummary>;
}) {
  return (
    <div
      className="chip-group"
      role="group"
      aria-label={invalid ? `${label} (the link's value was not valid)` : label}
      data-invalid={invalid}
    >
      <span className="chip-label">{label}</span>
      {values.map((v) => {
        const on = filter[field]?.includes(v) ?? false;
        return (
          <button
            key={v}
            type="button"
            className={`chip${on ? " on" : ""}${field === "outcome" ? ` outcome-${v}` : ""}`}
            aria-pressed={on}
            data-testid={`chip-${field}-${v}`}
            onClick={() => apply({ [field]: toggleListValue(filter[field], v) })}
          >
            {v}
            {summary && field !== "requesterType" && (
              <Suspense fallback={null}>
                <FacetCount summary={summary} field={field} value={v} />
              </Suspense>
            )}
          </button>
        );
      })}
    </div>
  );
}

/**
 * How many entries a click on this chip would add or keep: the current filter
 * without this facet's own constraint (Kibana/Datadog style; lib/server/events/facets.ts).
 */
function FacetCount({
  summary,
  field,
  value,
}: {
  summary: Promise<EventSummary>;
  field: "eventType" | "outcome";
  value: string;
}) {
  const counts = use(summary).facets[field] as Record<string, number>;
  const n = counts[value] ?? 0;
  return (
    <span className="chip-count" data-testid={`facet-${field}-${value}`}>
      {n.toLocaleString("en-US")}
    </span>
  );
}

/** The meta-audit is hidden by default; this puts it back (part of the filter, so of the URL and of bundles). */
function OwnActivityToggle({
  shown,
  source,
  apply,
}: {
  shown: boolean;
  source: string | undefined;
  apply: (overrides: ParamChanges) => void;
}) {
  const forced = shown && asksForOwnActivity(source);
  return (
    <label
      className="inline-label own-activity"
      title={
        forced
          ? "Your source filter asks for Ledgerline's own records"
          : "Sign-ins, searches, exports and admin changes recorded by Ledgerline itself (sources ledgerline:*)"
      }
    >
      <input
        type="checkbox"
        checked={shown}
        disabled={forced}
        data-testid="filter-own-activity"
        onChange={(e) => apply({ own: e.target.checked ? OWN_INCLUDE : null, hideOwnActivity: null })}
      />
      Include Ledgerline&apos;s own activity
    </label>
  );
}

const SEQ_FIELDS = [
  { name: "seqFrom", label: "Seq from", hint: "≥" },
  { name: "seqTo", label: "Seq to", hint: "≤" },
] as const;

function TextFields({ filter, invalid }: { filter: EventFilter; invalid: string[] }) {
  return (
    <div className="filter-fields">
      {TEXT_FIELDS.map((f) => (
        <label key={f.name}>
          {f.label}
          <input
            name={f.name}
            defaultValue={filter[f.name] ?? ""}
            placeholder={f.hint}
            aria-invalid={invalid.includes(f.name) || undefined}
            data-testid={`filter-${f.name}`}
            spellCheck={false}
            autoComplete="off"
          />
        </label>
      ))}
      {SEQ_FIELDS.map((f) => (
        <label key={f.name}>
          {f.label}
          <input
            name={f.name}
            inputMode="numeric"
            defaultValue={filter[f.name] ?? ""}
            placeholder={f.hint}
            aria-invalid={invalid.includes(f.name) || undefined}
            data-testid={`filter-${f.name}`}
            autoComplete="off"
          />
        </label>
      ))}
    </div>
  );
}

function ApplyRow({ tz, problem }: { tz: TimeZoneMode; problem: string | null }) {
  const nav = useExplorerNav();
  // Clearing keeps the time zone (a display choice) and the meta-audit choice's default (hidden).
  const clearHref = explorerHref(new URLSearchParams(tz === "utc" ? { tz: "utc" } : {}));
  return (
    <div className="filter-row">
      <button type="submit" className="btn primary small" data-testid="filter-apply">
        Apply filters
      </button>
      <a
        className="btn small"
        href={clearHref}
        data-testid="filter-clear"
        onClick={(e) => {
          e.preventDefault();
          nav.push(clearHref);
        }}
      >
        Clear all
      </a>
      {problem && (
        <span className="bad" data-testid="filter-problem">
          {problem}
        </span>
      )}
      <span className="muted small-print">
        Patterns: <code>value</code> exact, <code>value*</code> prefix, <code>!value</code> excludes. Press Enter to
        apply.
      </span>
    </div>
  );
}

function RangeSummary({ filter, range, zone }: { filter: EventFilter; range: RangeId | null; zone: string }) {
  const show = (iso: string | undefined) => (iso ? formatInZone(iso, zone) : "…");
  const title = `${filter.from ? formatUtc(filter.from) : "beginning"} → ${filter.to ? formatUtc(filter.to) : "now"} (to is exclusive)`;
  return (
    <span className="range-summary muted" title={title} data-testid="range-summary">
      {range === "all" || (!filter.from && !filter.to) ? "All time" : `${show(filter.from)} → ${show(filter.to)}`}
      {range && range !== "all" ? ` · last ${RANGE_PRESETS.find((p) => p.id === range)!.label}` : ""}
    </span>
  );
}
