import type { TimeZoneMode } from "./explorer-params.ts";

// One Local/UTC choice for the explorer and the trace pages (issue 15 items 6, 9).
// The explorer's `tz` URL parameter still wins (a shared link shows what its
// author saw); without it, both pages read this cookie, and a switch on either
// page writes it — so a switch on one page shows on the other. A cookie, not
// localStorage: the server renders the right zone on the first paint.

export const ZONE_COOKIE = "ledgerline-tz";

/** The zone in effect: the URL's `tz` when given, else the remembered choice, else the viewer's local zone. */
export function zoneChoice(tzParam: string | null | undefined, cookie: string | undefined): TimeZoneMode {
  if (tzParam === "utc" || tzParam === "local") return tzParam;
  return cookie === "utc" ? "utc" : "local";
}

/** Remembers the choice in this browser for a year (client side only). */
export function rememberZone(mode: TimeZoneMode): void {
  document.cookie = `${ZONE_COOKIE}=${mode}; path=/; max-age=31536000; samesite=lax`;
}
