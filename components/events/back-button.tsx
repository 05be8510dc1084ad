"use client";

import { useSyncExternalStore } from "react";
import { LAST_VIEW_KEY } from "./explorer-nav.tsx";

const DEFAULT_VIEW = "/events";

// sessionStorage is read after hydration (the server renders the default), and
// this tab's last view does not change while the detail page is open.
const subscribe = () => () => {};

function lastView(): string {
  try {
    const last = sessionStorage.getItem(LAST_VIEW_KEY);
    return last?.startsWith("/events") ? last : DEFAULT_VIEW;
  } catch {
    return DEFAULT_VIEW; // best effort
  }
}

/** Back to the explorer view this tab last showed (its URL holds the filter), else the default view. */
export function BackToResults() {
  const href = useSyncExternalStore(subscribe, lastView, () => DEFAULT_VIEW);
  return (
    <a href={href} className="btn small" data-testid="back-to-results">
      ← Back to results
    </a>
  );
}
