// W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/ §3.2). SPEC §1 takes
// an event's correlationId from the trace-id when the body has none, so the parse must be
// exactly the spec's: a header the spec says to ignore must never become a correlation id.

export type Traceparent = { version: string; traceId: string; parentId: string; flags: string };

const LOWER_HEX = /^[0-9a-f]+$/;
const ALL_ZERO = /^0+$/;

/**
 * Parses a traceparent header value; null when a W3C-conforming vendor would ignore it.
 * Invariants: fields are lowercase hex (uppercase is invalid per the spec, not folded);
 * trace-id and parent-id are never all zeros; version `ff` is invalid; version `00` must be
 * exactly 55 characters; a higher version may carry more fields after a `-`, which are
 * ignored (the spec's forward-compatibility rule). Surrounding spaces/tabs (HTTP OWS) are
 * ignored.
 */
export function parseTraceparent(h: string): Traceparent | null {
  const s = h.replace(/^[ \t]+|[ \t]+$/g, "");
  if (s.length < 55) return null;
  const version = s.slice(0, 2);
  if (!LOWER_HEX.test(version) || version === "ff") return null;
  if (version === "00" && s.length !== 55) return null;
  if (s.length > 55 && s[55] !== "-") return null;
  if (s[2] !== "-" || s[35] !== "-" || s[52] !== "-") return null;
  const traceId = s.slice(3, 35);
  const parentId = s.slice(36, 52);
  const flags = s.slice(53, 55);
  if (!LOWER_HEX.test(traceId) || ALL_ZERO.test(traceId)) return null;
  if (!LOWER_HEX.test(parentId) || ALL_ZERO.test(parentId)) return null;
  if (!LOWER_HEX.test(flags)) return null;
  return { version, traceId, parentId, flags };
}
