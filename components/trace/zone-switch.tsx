"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { rememberZone } from "@/components/events/zone-choice.ts";
import type { TimeZoneMode } from "@/components/events/explorer-params.ts";

// The trace page's Local/UTC switch: the explorer's choice (zone-choice.ts), so a
// switch here shows in the explorer and the other way round.

export function ZoneSwitch({ tz }: { tz: TimeZoneMode }) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const pick = (mode: TimeZoneMode) => {
    rememberZone(mode);
    // A link's `tz` would keep winning over the new choice: drop it (the cookie now says the same).
    if (search.has("tz")) {
      const rest = new URLSearchParams(search);
      rest.delete("tz");
      router.replace(rest.size ? `${pathname}?${rest}` : pathname, { scroll: false });
    } else router.refresh();
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
