"use client";

import { useEffect, useState } from "react";
import { LAST_VIEW_KEY } from "./explorer-nav.tsx";

/** Back to the explorer view this tab last showed (its URL holds the filter), else the default view. */
export function BackToResults() {
  const [href, setHref] = useState("/events");
  useEffect(() => {
    try {
      const last = sessionStorage.getItem(LAST_VIEW_KEY);
      if (last?.startsWith("/events")) setHref(last);
    } catch {
      // best effort
    }
  }, []);
  return (
    <a href={href} className="btn small" data-testid="back-to-results">
      ← Back to results
    </a>
  );
}
