import { EVENT_LIMITS, parseTraceparent } from "./event.ts";
import { scanText } from "./text-scan.ts";

// What may be looked up as a correlation id — by the trace page and API and by
// the explorer's filter alike: what ingest could have stored
// (SPEC §1: ≤ 128 code points, no control or bidi characters, no lone
// surrogates). Anything else can match no entry, and would not fit the
// meta-audit record of the view either, so it is refused up front.

export type CorrelationIdResult = { ok: true; value: string } | { ok: false; detail: string };

export function checkCorrelationId(raw: string): CorrelationIdResult {
  if (raw.length === 0) return { ok: false, detail: "must not be empty" };
  const s = scanText(raw);
  if (s.codePoints > EVENT_LIMITS.correlationId)
    return { ok: false, detail: `must be at most ${EVENT_LIMITS.correlationId} characters` };
  if (s.tabOrNewline || s.otherControl) return { ok: false, detail: "must not contain control characters" };
  if (s.bidiControl) return { ok: false, detail: "must not contain bidirectional control characters" };
  if (s.loneSurrogate) return { ok: false, detail: "must not contain unpaired surrogates" };
  return { ok: true, value: raw };
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
