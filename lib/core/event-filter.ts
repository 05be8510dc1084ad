// The explorer's filter as data: what `GET /api/v1/events` takes, what a bundle's
// manifest records, and what the offline verifier re-applies to every entry of a
// bundle (SPEC §5, condition 5). The SQL the server runs for a filter
// (lib/server/events/filter-sql.ts) must select exactly the entries `matchesFilter`
// accepts; an integration test checks the two against each other on both stores.

/**
 * A text pattern: `value` matches exactly; `value*` matches every string that
 * starts with `value`; a leading `!` negates either form (`!payments*`). An entry
 * without the field (an absent `target.service`) matches only negated patterns.
 */
export type TextPattern = string;

export type EventFilter = {
  /** Inclusive lower bound on the claimed timestamp, `YYYY-MM-DDTHH:mm:ss.sssZ`. */
  from?: string;
  /** Exclusive upper bound on the claimed timestamp. */
  to?: string;
  eventType?: string[];
  outcome?: string[];
  requesterType?: string[];
  requester?: TextPattern;
  target?: TextPattern;
  service?: TextPattern;
  source?: TextPattern;
  action?: TextPattern;
  correlationId?: string;
  /** Inclusive seq bounds. */
  seqFrom?: number;
  seqTo?: number;
  /** Substring of `reason` or of the attributes' canonical JSON, ASCII letters case-folded. */
  q?: string;
  /**
   * Leaves out Ledgerline's own meta-audit records: every entry whose `source`
   * starts with `ledgerline:` (a namespace ingest refuses to any key). Absent or
   * false selects them like any other entry, so filters written before this
   * field existed keep their meaning.
   */
  hideOwnActivity?: boolean;
};

/** The `source` prefix of Ledgerline's own meta-audit records (reserved at ingest). */
export const OWN_SOURCE_PREFIX = "ledgerline:";

/** The fields of an entry a filter reads (SPEC §2 shape). */
export type FilterableEntry = {
  seq: number;
  timestamp: string;
  eventType: string;
  outcome: string;
  source: string;
  requester: { id: string; type?: string };
  target: { id: string; service?: string };
  action?: string;
  correlationId?: string;
  reason?: string;
  attributes?: unknown;
};

export type ParsedPattern = { negate: boolean; prefix: boolean; value: string };

/** Splits a pattern into its parts; `!` first, then a trailing `*`. */
export function parsePattern(p: TextPattern): ParsedPattern {
  let negate = false;
  let s = p;
  if (s.startsWith("!")) {
    negate = true;
    s = s.slice(1);
  }
  const prefix = s.endsWith("*");
  return { negate, prefix, value: prefix ? s.slice(0, -1) : s };
}

export function matchesPattern(pattern: TextPattern, value: string | undefined): boolean {
  const p = parsePattern(pattern);
  const hit = value !== undefined && (p.prefix ? value.startsWith(p.value) : value === p.value);
  return p.negate ? !hit : hit;
}

/** Lower-cases A–Z only, so both stores can apply the same folding in SQL. */
export function foldAscii(s: string): string {
  return s.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * The attributes' text as the store keeps it: RFC 8785 JSON. The caller passes
 * the canonicalizer so this module stays free of dependencies.
 */
export type AttributesText = (attributes: unknown) => string;

/**
 * True when the entry satisfies every condition of the filter (an empty filter
 * matches everything). Pure; the same answer the server's SQL gives.
 */
export function matchesFilter(e: FilterableEntry, f: EventFilter, attributesText: AttributesText): boolean {
  if (f.from !== undefined && e.timestamp < f.from) return false;
  if (f.to !== undefined && e.timestamp >= f.to) return false;
  if (f.seqFrom !== undefined && e.seq < f.seqFrom) return false;
  if (f.seqTo !== undefined && e.seq > f.seqTo) return false;
  if (f.eventType?.length && !f.eventType.includes(e.eventType)) return false;
  if (f.outcome?.length && !f.outcome.includes(e.outcome)) return false;
  if (f.requesterType?.length && !f.requesterType.includes(e.requester.type ?? "service")) return false;
  if (f.requester !== undefined && !matchesPattern(f.requester, e.requester.id)) return false;
  if (f.target !== undefined && !matchesPattern(f.target, e.target.id)) return false;
  if (f.service !== undefined && !matchesPattern(f.service, e.target.service)) return false;
  if (f.source !== undefined && !matchesPattern(f.source, e.source)) return false;
  if (f.action !== undefined && !matchesPattern(f.action, e.action)) return false;
  if (f.correlationId !== undefined && e.correlationId !== f.correlationId) return false;
  if (f.hideOwnActivity === true && e.source.startsWith(OWN_SOURCE_PREFIX)) return false;
  if (f.q !== undefined && f.q !== "") {
    const needle = foldAscii(f.q);
    const inReason = e.reason !== undefined && foldAscii(e.reason).includes(needle);
    const inAttributes = e.attributes !== undefined && foldAscii(attributesText(e.attributes)).includes(needle);
    if (!inReason && !inAttributes) return false;
  }
  return true;
}

/**
 * Every filter member, in the fixed order a manifest records them and a query string lists
 * them: one list, so the manifest, the API's query parameters and the explorer agree.
 */
export const EVENT_FILTER_KEYS = [
  "from",
  "to",
  "eventType",
  "outcome",
  "requesterType",
  "requester",
  "target",
  "service",
  "source",
  "action",
  "correlationId",
  "seqFrom",
  "seqTo",
  "q",
  "hideOwnActivity",
] as const satisfies ReadonlyArray<keyof EventFilter>;

/** The filter with empty members dropped and keys in a fixed order: what a manifest records. */
export function normalizeFilter(f: EventFilter): EventFilter {
  const out: EventFilter = {};
  for (const k of EVENT_FILTER_KEYS) {
    const v = f[k];
    if (v === undefined || v === "" || v === false || (Array.isArray(v) && v.length === 0)) continue;
    (out as Record<string, unknown>)[k] = Array.isArray(v) ? [...new Set(v)].sort() : v;
  }
  return out;
}
