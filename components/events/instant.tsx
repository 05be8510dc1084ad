"use client";

import { useViewerZone } from "./explorer-nav.tsx";
import { formatInZone, formatUtc } from "./time.ts";

/** An instant in the viewer's zone with UTC beside it (UTC alone until the zone is known). */
export function Instant({ iso }: { iso: string }) {
  const zone = useViewerZone();
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {zone === "UTC" ? (
        formatUtc(iso)
      ) : (
        <>
          {formatInZone(iso, zone)} <span className="muted">· {formatUtc(iso)}</span>
        </>
      )}
    </time>
  );
}
