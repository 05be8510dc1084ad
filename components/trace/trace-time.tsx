"use client";

import { useViewerZone } from "@/components/events/explorer-nav.tsx";
import type { TimeZoneMode } from "@/components/events/explorer-params.ts";
import { formatInZone, formatUtc } from "@/components/events/time.ts";

// An instant on the trace page (header, clock findings, timeline tooltips) in
// the shared Local/UTC choice (components/events/zone-choice.ts), like the
// entry list below it. The full UTC text stays on hover either way.

export function TraceTime({ iso, tz }: { iso: string; tz: TimeZoneMode }) {
  const viewerZone = useViewerZone();
  const zone = tz === "utc" ? "UTC" : viewerZone;
  return (
    <time dateTime={iso} title={formatUtc(iso)} data-testid="trace-time" style={{ whiteSpace: "nowrap" }}>
      {zone === "UTC" ? formatUtc(iso) : formatInZone(iso, zone)}
    </time>
  );
}
