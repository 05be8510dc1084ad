import { EVENT_LIMITS, parseTraceparent } from "./event.ts";
import { checkIdentifier, type IdentifierResult } from "./identifier.ts";

// What may be looked up as a correlation id — by the trace page and API and by
// the explorer's filter alike: what ingest could have stored, by the same
// identifier rule (identifier.ts: ≤ 128 code points, no control, format, bidi or
// invisible characters, no lone surrogates). Anything else can match no entry,
// and would not fit the meta-audit record of the view either, so it is refused
// up front.

export type CorrelationIdResult = IdentifierResult;

export function checkCorrelationId(raw: string): CorrelationIdResult {
  return checkIdentifier(raw, { max: EVENT_LIMITS.correlationId });
}

/**
 * The search box: a full W3C traceparent becomes its trace-id (the correlation id
 * ingest derives from the header), anything else is taken as a correlation id,
 * surrounding whitespace removed.
 */
export function correlationIdFromQuery(q: string): CorrelationIdResult & { fromTraceparent?: boolean } {
  const trimmed = q.trim();
  const tp = parseTraceparent(trimmed);
  if (tp) return { ok: true, value: tp.traceId, fromTraceparent: true };
  return checkCorrelationId(trimmed);
}
