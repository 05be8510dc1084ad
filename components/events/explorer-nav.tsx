"use client";

import { useRouter } from "next/navigation";
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, useTransition } from "react";
import { explorerHref, withParams, type ParamChanges } from "./explorer-params.ts";

// Every explorer control changes the URL and nothing else: the server page reads
// it, resolves the filter once and renders table and charts from that one filter.
// router.push keeps each change in the history, so Back restores the previous view.

type Nav = {
  /** The parameters of the page being shown. */
  current: URLSearchParams;
  /** The href after a change (for real links: middle-click and copy work). */
  hrefWith: (changes: ParamChanges) => string;
  /** Navigates to the explorer with these parameters. */
  go: (next: URLSearchParams | ParamChanges) => void;
  /** Navigates anywhere inside the app, showing the pending state. */
  push: (href: string) => void;
  pending: boolean;
};

const NavContext = createContext<Nav | null>(null);

export const LAST_VIEW_KEY = "ledgerline.explorer.lastView";

export function ExplorerNavProvider({ query, children }: { query: string; children: React.ReactNode }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const current = useMemo(() => new URLSearchParams(query), [query]);
  const push = useCallback((href: string) => startTransition(() => router.push(href)), [router]);
  // A filter change keeps the scroll position: the user is looking at the chart or table they clicked.
  const stay = useCallback((href: string) => startTransition(() => router.push(href, { scroll: false })), [router]);
  const nav = useMemo<Nav>(
    () => ({
      current,
      pending,
      push,
      hrefWith: (changes) => explorerHref(withParams(current, changes)),
      go: (next) => stay(explorerHref(next instanceof URLSearchParams ? next : withParams(current, next))),
    }),
    [current, pending, push, stay],
  );
  // The detail page links back to the last view (its URL is the whole state).
  useEffect(() => {
    try {
      sessionStorage.setItem(LAST_VIEW_KEY, explorerHref(current));
    } catch {
      // best effort
    }
  }, [current]);
  return <NavContext.Provider value={nav}>{children}</NavContext.Provider>;
}

export function useExplorerNav(): Nav {
  const n = useContext(NavContext);
  if (!n) throw new Error("useExplorerNav outside ExplorerNavProvider");
  return n;
}

/** True for clicks the browser should handle itself (new tab, new window, download). */
export function isModifiedClick(e: React.MouseEvent): boolean {
  return e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey;
}

/** A link that applies a filter change: a real href, navigated inside a transition. */
export function FilterLink({
  changes,
  children,
  title,
  className,
  testId,
}: {
  changes: ParamChanges;
  children: React.ReactNode;
  title?: string;
  className?: string;
  testId?: string;
}) {
  const nav = useExplorerNav();
  const href = nav.hrefWith(changes);
  return (
    <a
      href={href}
      title={title}
      className={className}
      data-testid={testId}
      onClick={(e) => {
        if (isModifiedClick(e)) return;
        e.preventDefault();
        e.stopPropagation();
        nav.go(new URLSearchParams(href.split("?")[1] ?? ""));
      }}
    >
      {children}
    </a>
  );
}

const noSubscribe = () => () => {};

/**
 * The viewer's IANA zone. The server (and the hydration pass) renders UTC, then
 * the browser re-renders in its own zone, so markup never mismatches.
 */
export function useViewerZone(): string {
  return useSyncExternalStore(
    noSubscribe,
    () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    () => "UTC",
  );
}
