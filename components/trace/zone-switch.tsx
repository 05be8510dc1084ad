"use client";

import { useRouter } from "next/navigation";
import { rememberZone } from "@/components/events/zone-choice.ts";
import type { TimeZoneMode } from "@/components/events/explorer-params.ts";

// The trace page's Local/UTC switch: the explorer's choice (zone-choice.ts), so a
// switch here shows in the explorer and the other way round.

export function ZoneSwitch({ tz }: { tz: TimeZoneMode }) {
  const router = useRouter();
  const pick = (mode: TimeZoneMode) => {
    rememberZone(mode);
    router.refresh();
  };
  return (
    <div className="segmented" role="group" aria-label="Show times in">
      {(["local", "utc"] as const).map((mode) => (
        <button
          key={mode}
          type="button"
          className={tz === mode ? "on" : ""}
          aria-pressed={tz === mode}
          data-testid={`tz-${mode}`}
          onClick={() => pick(mode)}
        >
          {mode === "utc" ? "UTC" : "Local"}
        </button>
      ))}
    </div>
  );
}
