"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { EventItem } from "@/lib/server/events/search.ts";

// The explorer's "Live" toggle (issue 15 item 8): polls GET /api/v1/events/tail
// for new entries matching the filter on screen (lib/server/events/tail.ts says
// why polling and how it is audited). Bounded: one request at a time, every
// POLL_MS (sooner only while a burst is being caught up), nothing while the tab
// is hidden, and it stops — it never silently resumes — on a filter change or
// an error, saying why.

const POLL_MS = 5_000;
const CATCH_UP_MS = 1_000;
/** New rows kept on screen: past this the oldest tail rows drop off (the table's page is still below). */
const MAX_LIVE_ROWS = 500;

type TailState = { items: EventItem[]; pending: EventItem[]; error: string | null };

async function getJson<T>(url: string): Promise<{ ok: true; value: T } | { ok: false; error: string; retry?: number }> {
  try {
    const res = await fetch(url, { headers: { accept: "application/json" }, cache: "no-store" });
    const body = (await res.json().catch(() => ({}))) as T & { detail?: string };
    if (res.ok) return { ok: true, value: body };
    const retry = Number(res.headers.get("retry-after"));
    return {
      ok: false,
      error: body.detail ?? `HTTP ${res.status}`,
      retry: res.status === 429 ? retry || 30 : undefined,
    };
  } catch {
    return { ok: false, error: "the server could not be reached" };
  }
}

/** True when the table's first rows are above the viewport: new rows then wait behind "N new — show". */
function scrolledPastTop(table: HTMLElement | null): boolean {
  return !!table && table.getBoundingClientRect().top < 0;
}

/**
 * The tail of `filterQuery` (the filter as API parameters) while `on`, starting
 * after `sinceSeq` (the newest entry the page shows). Rows are newest first.
 */
export function useLiveTail(
  on: boolean,
  filterQuery: string,
  sinceSeq: number | null,
  table: () => HTMLElement | null,
) {
  const [state, setState] = useState<TailState>({ items: [], pending: [], error: null });
  const cursor = useRef<{ tail: string; after: number } | null>(null);

  const deliver = useCallback(
    (batch: EventItem[]) => {
      if (!batch.length) return;
      const newestFirst = [...batch].reverse();
      setState((s) =>
        scrolledPastTop(table())
          ? { ...s, pending: [...newestFirst, ...s.pending] }
          : { ...s, items: [...newestFirst, ...s.pending, ...s.items].slice(0, MAX_LIVE_ROWS), pending: [] },
      );
    },
    [table],
  );

  useEffect(() => {
    if (!on) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    cursor.current = null;
    const base = `/api/v1/events/tail?${filterQuery}${filterQuery ? "&" : ""}`;
    const schedule = (ms: number) => {
      if (!stopped) timer = setTimeout(tick, ms);
    };
    async function tick() {
      if (document.hidden) return schedule(POLL_MS); // paused while nobody looks
      const c = cursor.current;
      const url = c
        ? `${base}tail=${encodeURIComponent(c.tail)}&after=${c.after}`
        : `${base}${sinceSeq !== null ? `after=${sinceSeq}` : ""}`;
      const r = await getJson<{ tail?: string; after: number; items?: EventItem[]; more?: boolean }>(url);
      if (stopped) return;
      if (!r.ok) {
        if (r.retry) return schedule(r.retry * 1000);
        setState((s) => ({ ...s, error: `Live tail stopped: ${r.error} Turn Live on again to resume.` }));
        return;
      }
      if (!c) cursor.current = { tail: r.value.tail!, after: r.value.after };
      else {
        cursor.current = { tail: c.tail, after: r.value.after };
        deliver(r.value.items ?? []);
      }
      schedule(r.value.more ? CATCH_UP_MS : POLL_MS);
    }
    schedule(0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [on, filterQuery, sinceSeq, deliver]);

  const showPending = useCallback(() => {
    setState((s) => ({ ...s, items: [...s.pending, ...s.items].slice(0, MAX_LIVE_ROWS), pending: [] }));
    table()?.scrollIntoView({ block: "start" });
  }, [table]);
  const reset = useCallback(() => setState({ items: [], pending: [], error: null }), []);
  return { ...state, showPending, reset };
}

/** The "Live" switch; off (with the reason) where new entries would not land on top of the table. */
export function LiveToggle({ on, disabled, onToggle }: { on: boolean; disabled: boolean; onToggle: () => void }) {
  return (
    <button
      type="button"
      className={`btn small live-toggle${on ? " on" : ""}`}
      aria-pressed={on}
      disabled={disabled}
      title={
        disabled
          ? "Live shows new entries on top: sort newest first and go back to the first page"
          : "Show new matching entries as they arrive (checks every 5 s while this tab is visible)"
      }
      onClick={onToggle}
      data-testid="live-toggle"
    >
      {on ? "● Live" : "Live"}
    </button>
  );
}

/** What the tail is doing: new rows waiting while the user reads further down, or why it stopped. */
export function LiveStatus(props: { pending: number; shown: number; error: string | null; onShow: () => void }) {
  return (
    <div className="live-status" role="status" data-testid="live-status">
      {props.error ? (
        <span className="bad">{props.error}</span>
      ) : props.pending > 0 ? (
        <button type="button" className="btn small primary" onClick={props.onShow} data-testid="live-pending">
          {props.pending} new — show
        </button>
      ) : (
        <span className="muted">
          Live: new matching entries appear on top{props.shown ? ` (${props.shown} so far)` : ""}.
        </span>
      )}
    </div>
  );
}
