import type { EventFilter } from "@/lib/core/event-filter.ts";
import { EVENT_FILTER_KEYS, normalizeFilter, OWN_SOURCE_PREFIX, parsePattern } from "@/lib/core/event-filter.ts";
import {
  filterToSearchParams,
  pageRequestFromSearchParams,
  type FilterIssue,
  type PageRequest,
  type ParseResult,
  type Sort,
} from "@/lib/schemas/event-filter.ts";

// The explorer's URL is its whole state: the filter the API takes plus a few UI
// parameters (`range`, `tz`). Pure, client- and server-safe: the server page
// resolves a preset to absolute from/to once per render, so the table and the
// charts describe exactly the same filter.

export const RANGE_PRESETS = [
  { id: "15m", label: "15 m", ms: 15 * 60_000 },
  { id: "1h", label: "1 h", ms: 3_600_000 },
  { id: "24h", label: "24 h", ms: 86_400_000 },
  { id: "7d", label: "7 d", ms: 7 * 86_400_000 },
  { id: "30d", label: "30 d", ms: 30 * 86_400_000 },
  { id: "all", label: "All", ms: null },
] as const;
export type RangeId = (typeof RANGE_PRESETS)[number]["id"];

// Why 7 days and not Kibana's 15 minutes: an audit log is sparse and read after the
// fact ("what touched payments this week?"); 15 min or 24 h would show an empty page
// for most questions, and the demo fleet spans the week before start. "All" stays
// one click away but is not the default: on a store of millions of entries an
// unbounded histogram is the one expensive query this page could make by accident.
export const DEFAULT_RANGE: RangeId = "7d";

export const TIME_ZONES = ["local", "utc"] as const;
export type TimeZoneMode = (typeof TIME_ZONES)[number];

/** URL parameters of the page that the read API does not know. */
export const UI_PARAMS = ["range", "tz", "own", "view"] as const;

/**
 * `view=<id>` names the saved view the page was opened from (its columns are
 * applied, its name shown). It selects nothing; any change of filter or sort
 * leaves the view, so the name never labels a question it no longer asks.
 */
export const VIEW_PARAM = "view";

/** Where a saved view opens: its query plus `view=<id>`, so the page applies its columns and shows its name. */
export function viewHref(v: { id: string; query: string }): string {
  const sp = new URLSearchParams(v.query);
  sp.set(VIEW_PARAM, v.id);
  return `/events?${canonicalParams(sp).toString()}`;
}

/**
 * `own=include` shows Ledgerline's own meta-audit records (`ledgerline:*`
 * sources); without it the explorer hides them (filter `hideOwnActivity`), or
 * every page view would add a row and the auditor would top the requester list.
 */
export const OWN_INCLUDE = "include";

/** Parameter order of a canonical explorer URL (shareable links compare equal). */
const PARAM_ORDER = ["range", ...EVENT_FILTER_KEYS, "own", "sort", "limit", "tz", "view", "cursor"] as const;

const FILTER_KEYS = new Set<string>(["range", ...EVENT_FILTER_KEYS, "own"]);

export type ExplorerState = {
  /** The request with the preset resolved to absolute from/to. */
  request: PageRequest;
  /** The preset in effect, or null when the URL gives absolute from/to. */
  range: RangeId | null;
  tz: TimeZoneMode;
  /** True when the meta-audit is shown (`own=include`, or a source filter that asks for it). */
  ownActivity: boolean;
};

const MINUTE = 60_000;

function isRange(v: string): v is RangeId {
  return RANGE_PRESETS.some((p) => p.id === v);
}

/**
 * A preset as absolute bounds: from = now − span (down to the minute), to = the
 * next whole minute, so a link opened twice in the same minute is the same query
 * and an event ingested a moment ago is inside. "all" gives no bounds.
 */
export function resolveRange(range: RangeId, nowMs: number): { from?: string; to?: string } {
  const preset = RANGE_PRESETS.find((p) => p.id === range)!;
  if (preset.ms === null) return {};
  const to = Math.floor(nowMs / MINUTE) * MINUTE + MINUTE;
  const from = Math.floor((nowMs - preset.ms) / MINUTE) * MINUTE;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** Reads the explorer's URL: every problem is reported (never a 500, never an unscoped query). */
export function resolveExplorerParams(sp: URLSearchParams, nowMs: number): ParseResult<ExplorerState> {
  const errors: FilterIssue[] = [];
  const rangeRaw = sp.get("range");
  if (sp.getAll("range").length > 1) errors.push({ param: "range", detail: "may be given only once" });
  if (rangeRaw !== null && !isRange(rangeRaw)) {
    errors.push({ param: "range", detail: `must be one of ${RANGE_PRESETS.map((p) => p.id).join(", ")}` });
  }
  if (rangeRaw !== null && (sp.has("from") || sp.has("to"))) {
    errors.push({ param: "range", detail: "cannot be combined with from/to: pick a preset or an absolute range" });
  }
  const ownRaw = sp.get("own");
  if (ownRaw !== null && ownRaw !== OWN_INCLUDE)
    errors.push({ param: "own", detail: `must be ${OWN_INCLUDE} (or absent, to hide Ledgerline's own activity)` });
  const tzRaw = sp.get("tz") ?? "local";
  if (!(TIME_ZONES as readonly string[]).includes(tzRaw)) errors.push({ param: "tz", detail: "must be local or utc" });

  const parsed = pageRequestFromSearchParams(sp, { allow: [...UI_PARAMS] });
  if (!parsed.ok) errors.push(...parsed.errors);
  if (errors.length || !parsed.ok) return { ok: false, errors };

  const request = parsed.value;
  let range: RangeId | null = null;
  if (request.filter.from === undefined && request.filter.to === undefined) {
    range = rangeRaw !== null && isRange(rangeRaw) ? rangeRaw : DEFAULT_RANGE;
    request.filter = normalizeFilter({ ...request.filter, ...resolveRange(range, nowMs) });
  }
  const ownActivity = ownRaw === OWN_INCLUDE || asksForOwnActivity(request.filter.source);
  request.filter = normalizeFilter({ ...request.filter, hideOwnActivity: !ownActivity });
  return { ok: true, value: { request, range, tz: tzRaw as TimeZoneMode, ownActivity } };
}

/** A source filter that can only match `ledgerline:` sources asks for the meta-audit: it is not hidden then. */
export function asksForOwnActivity(source: string | undefined): boolean {
  if (source === undefined) return false;
  const p = parsePattern(source);
  return !p.negate && p.value.startsWith(OWN_SOURCE_PREFIX);
}

/** The entries an explorer URL selects: its filter with the time preset resolved, and the preset. */
export type ExplorerSelection = { filter: EventFilter; range: RangeId | null };

/**
 * The one reading of an explorer URL as the filter its page shows — the explorer
 * page, the export button, the /bundles form and `POST /api/v1/bundles` with
 * `{"explorer": …}` all go through here, so a bundle made from a link holds
 * exactly the entries the link shows. A preset (or the 7 d default when the URL
 * has no time bounds, as the page applies it) becomes absolute from/to at
 * `nowMs`; `range=all` is the only way to ask for all time. Page-only
 * parameters (sort, limit, cursor, tz) are checked as the page checks them but
 * select nothing.
 */
export function explorerSelection(sp: URLSearchParams, nowMs: number): ParseResult<ExplorerSelection> {
  const r = resolveExplorerParams(sp, nowMs);
  return r.ok ? { ok: true, value: { filter: r.value.request.filter, range: r.value.range } } : r;
}

/**
 * What someone pasted as "an explorer link" as its query: a full URL or path of
 * the Events page (`…/events?…`), a bare query (`?a=b` or `a=b`), or a trace's
 * link (`…/trace/<id>`: that correlation id over all time, as the trace page
 * shows it). Any other page is an error rather than a guess.
 */
export function explorerQueryFromText(text: string): ParseResult<URLSearchParams> {
  const raw = text.trim();
  const bad = (detail: string): ParseResult<URLSearchParams> => ({ ok: false, errors: [{ param: "link", detail }] });
  const q = raw.indexOf("?");
  const pathPart = (q === -1 ? (raw.includes("=") ? "" : raw) : raw.slice(0, q)).replace(/#.*$/, "");
  const query = new URLSearchParams(q === -1 ? (raw.includes("=") ? raw : "") : raw.slice(q + 1).replace(/#.*$/, ""));
  let pathname = pathPart;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pathPart)) {
    try {
      pathname = new URL(pathPart).pathname;
    } catch {
      return bad("is not a link this dashboard made");
    }
  }
  pathname = pathname.replace(/\/+$/, "");
  if (pathname === "" || /(^|\/)events$/.test(pathname)) return { ok: true, value: query };
  const trace = /\/trace\/([^/]+)$/.exec(pathname);
  if (trace) {
    let id: string;
    try {
      id = decodeURIComponent(trace[1]!);
    } catch {
      return bad("has a correlation id that is not valid percent-encoding");
    }
    return { ok: true, value: new URLSearchParams({ range: "all", correlationId: id }) };
  }
  return bad("must be an Events link (…/events?…), a trace link (…/trace/…) or the query part of one");
}

/** The parameters in canonical order; unknown names (there should be none) go last. */
export function canonicalParams(sp: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  for (const k of PARAM_ORDER) for (const v of sp.getAll(k)) out.append(k, v);
  for (const [k, v] of sp) if (!(PARAM_ORDER as readonly string[]).includes(k)) out.append(k, v);
  return out;
}

export type ParamChanges = Record<string, string | readonly string[] | null | undefined>;

/**
 * The URL after a change: null/empty removes a parameter, lists are comma-joined.
 * Changing the filter or the sort starts from the first page again (a cursor
 * belongs to one query); setting `from`/`to` replaces a preset and vice versa.
 */
export function withParams(current: URLSearchParams, changes: ParamChanges): URLSearchParams {
  const sp = new URLSearchParams(current);
  const keys = Object.keys(changes);
  for (const k of keys) {
    const v = changes[k];
    const text = Array.isArray(v) ? v.join(",") : (v as string | null | undefined);
    if (text === null || text === undefined || text === "") sp.delete(k);
    else sp.set(k, text);
  }
  const touchesQuery = keys.some((k) => FILTER_KEYS.has(k) || k === "sort" || k === "limit");
  if (touchesQuery && !keys.includes("cursor")) sp.delete("cursor");
  if (touchesQuery && !keys.includes(VIEW_PARAM)) sp.delete(VIEW_PARAM);
  if ((keys.includes("from") || keys.includes("to")) && !keys.includes("range")) sp.delete("range");
  if (keys.includes("range") && changes.range) {
    sp.delete("from");
    sp.delete("to");
  }
  return canonicalParams(sp);
}

/** `/events?…` for the given parameters ("/events" when there are none). */
export function explorerHref(sp: URLSearchParams): string {
  const s = canonicalParams(sp).toString();
  return s ? `/events?${s}` : "/events";
}

/** Zooms to [fromMs, toMs): absolute bounds replace the preset; back to page one. */
export function zoomParams(current: URLSearchParams, fromMs: number, toMs: number): URLSearchParams {
  const lo = Math.min(fromMs, toMs);
  const hi = Math.max(fromMs, toMs);
  return withParams(current, {
    range: null,
    from: new Date(lo).toISOString(),
    to: new Date(Math.max(hi, lo + 1)).toISOString(),
  });
}

/** Clicking the Time or Seq header: the same column flips direction, another column starts newest first. */
export function toggleSort(current: Sort, column: "ts" | "seq"): Sort {
  const col = current.replace(/^-/, "");
  if (col !== column) return `-${column}` as Sort;
  return (current.startsWith("-") ? column : `-${column}`) as Sort;
}

/** Toggles one value of a multi-select list filter (eventType, outcome). */
export function toggleListValue(list: readonly string[] | undefined, value: string): string[] {
  const set = new Set(list ?? []);
  if (set.has(value)) set.delete(value);
  else set.add(value);
  return [...set].sort();
}

/**
 * Links from a detail page, where no range is in effect: the filter over all
 * time; `includeOwn` when the page shows a meta-audit record, so the link finds it.
 */
export function filterHref(field: keyof EventFilter, value: string, includeOwn = false): string {
  return explorerHref(
    new URLSearchParams({ range: "all", [field]: value, ...(includeOwn ? { own: OWN_INCLUDE } : {}) }),
  );
}

/**
 * The explorer URL that shows exactly a filter (a bundle's, a saved view's):
 * `range=all` when it has no time bounds (or the 7-day default would apply) and
 * `own=include` unless it hides the meta-audit (or the explorer would hide it).
 */
export function explorerParamsOf(f: EventFilter): URLSearchParams {
  const { hideOwnActivity, ...rest } = f;
  const sp = new URLSearchParams(rest.from || rest.to ? {} : { range: "all" });
  if (!hideOwnActivity && !asksForOwnActivity(rest.source)) sp.set("own", OWN_INCLUDE);
  return filterToSearchParams(rest, sp);
}

// ── Histogram ───────────────────────────────────────────────────────────────

export type Bucket = { start: string; success: number; failure: number; denied: number };

/** UTC start of the bucket holding `ms`: epoch-aligned widths, calendar months for "1mo". */
export function bucketFloor(ms: number, bucket: string, bucketMs: number): number {
  if (bucket === "1mo") {
    const d = new Date(ms);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  return Math.floor(ms / bucketMs) * bucketMs;
}

/** The start of the bucket after the one starting at `startMs`. */
export function bucketNext(startMs: number, bucket: string, bucketMs: number): number {
  if (bucket === "1mo") {
    const d = new Date(startMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return startMs + bucketMs;
}

/**
 * The server sends only buckets that hold events; a time axis needs the empty
 * ones too, or a quiet night would vanish from the chart. At most `max` buckets.
 */
export function fillBuckets(
  h: { bucket: string; bucketMs: number; from: string; to: string; buckets: Bucket[] },
  max = 400,
): Bucket[] {
  const byStart = new Map(h.buckets.map((b) => [Date.parse(b.start), b]));
  const fromMs = Date.parse(h.from);
  const toMs = Date.parse(h.to);
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) return h.buckets;
  const out: Bucket[] = [];
  for (
    let t = bucketFloor(fromMs, h.bucket, h.bucketMs);
    t < toMs && out.length < max;
    t = bucketNext(t, h.bucket, h.bucketMs)
  ) {
    out.push(byStart.get(t) ?? { start: new Date(t).toISOString(), success: 0, failure: 0, denied: 0 });
  }
  // Buckets beyond the cap (or outside the range) are kept rather than silently dropped.
  const seen = new Set(out.map((b) => b.start));
  for (const b of h.buckets) if (!seen.has(new Date(Date.parse(b.start)).toISOString())) out.push(b);
  return out.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

/** The zoom window of a click (one bucket) or a drag (from the first to the last bucket touched). */
export function bucketSpan(
  aStart: string,
  bStart: string,
  bucket: string,
  bucketMs: number,
): { fromMs: number; toMs: number } {
  const a = Date.parse(aStart);
  const b = Date.parse(bStart);
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return { fromMs: lo, toMs: bucketNext(hi, bucket, bucketMs) };
}

/** Denied share as a percentage with one decimal ("—" when there is nothing to divide). */
export function formatRate(part: number, total: number): string {
  if (total <= 0) return "—";
  return `${((part / total) * 100).toFixed(1)} %`;
}
