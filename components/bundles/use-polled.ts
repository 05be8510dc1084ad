"use client";

import { useEffect, useState } from "react";

// Re-fetches `url` every second while `active(value)` says the value is still changing.
export function usePolled<T>(url: string, initial: T, active: (v: T) => boolean): { value: T; error: string | null } {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const running = active(value);
  useEffect(() => {
    if (!running) return;
    let stop = false;
    const t = setTimeout(async () => {
      try {
        const r = await fetch(url, { cache: "no-store", headers: { accept: "application/json" } });
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        const next = (await r.json()) as T;
        if (!stop) {
          setError(null);
          setValue(next);
        }
      } catch (e) {
        if (!stop) setError(`Lost touch with the server (${(e as Error).message}); retrying.`);
        // Trigger another round even though the value did not change.
        if (!stop) setValue((v) => (Array.isArray(v) ? ([...v] as T) : ({ ...v } as T)));
      }
    }, 1000);
    return () => {
      stop = true;
      clearTimeout(t);
    };
  }, [url, running, value]);
  return { value, error };
}
