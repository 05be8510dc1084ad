"use client";

import { useCallback, useEffect, useState } from "react";

/**
 * A per-browser preference kept in localStorage (not in the shareable URL). Read after
 * mount, so the server-rendered markup and the first client render agree; written on
 * every change. Storage is best effort: private mode or a corrupt value keeps the default.
 */
export function useLocalPreference<T>(
  key: string,
  initial: T,
  codec: { read: (stored: string) => T; write: (value: T) => string },
): [T, (next: T | ((prev: T) => T)) => void] {
  const [value, setValue] = useState<T>(initial);
  const { read, write } = codec;

  useEffect(() => {
    try {
      const stored = localStorage.getItem(key);
      // Reading an external store after mount is what this effect is for (the server has no localStorage).
      // eslint-disable-next-line react-hooks/set-state-in-effect
      if (stored !== null) setValue(read(stored));
    } catch {
      // private mode or corrupt value: keep the default
    }
  }, [key, read]);

  const set = useCallback(
    (next: T | ((prev: T) => T)) =>
      setValue((prev) => {
        const v = typeof next === "function" ? (next as (prev: T) => T)(prev) : next;
        try {
          localStorage.setItem(key, write(v));
        } catch {
          // preferences are best effort
        }
        return v;
      }),
    [key, write],
  );
  return [value, set];
}
