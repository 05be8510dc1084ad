"use client";

import { useEffect, useRef, useState } from "react";

/**
 * j/k (and ↓/↑ inside the table) move a focused row, Enter opens it. Keys typed into a
 * form field, or with a modifier, are left alone; ↓/↑ only inside `tableSelector`. A new
 * page (`resetOn` changes) starts without a focused row.
 */
export function useRowKeyboardNav<R>({
  rows,
  open,
  tableSelector,
  resetOn,
}: {
  rows: readonly R[];
  open: (row: R) => void;
  tableSelector: string;
  resetOn: unknown;
}) {
  const [focus, setFocus] = useState(-1);
  const rowRefs = useRef<(HTMLTableRowElement | null)[]>([]);

  // New rows (another page, another filter): no row is focused. Adjusted while rendering, as React
  // recommends for state derived from a prop, instead of an effect that renders twice.
  const [seen, setSeen] = useState(resetOn);
  if (seen !== resetOn) {
    setSeen(resetOn);
    setFocus(-1);
  }

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || e.defaultPrevented) return;
      const t = e.target as HTMLElement | null;
      if (t?.closest("input, textarea, select, [contenteditable=true], details")) return;
      const inTable = !!t?.closest(tableSelector);
      const down = e.key === "j" || (inTable && e.key === "ArrowDown");
      const up = e.key === "k" || (inTable && e.key === "ArrowUp");
      if (down || up) {
        if (rows.length === 0) return;
        e.preventDefault();
        const next = Math.min(rows.length - 1, Math.max(0, focus < 0 ? 0 : focus + (down ? 1 : -1)));
        setFocus(next);
        rowRefs.current[next]?.focus();
      } else if (e.key === "Enter" && focus >= 0 && (t?.tagName === "TR" || t === document.body)) {
        const row = rows[focus];
        if (row) {
          e.preventDefault();
          open(row);
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [rows, focus, open, tableSelector]);

  /** The ref of row i, so the keyboard can move the browser's focus to it. */
  const rowRef = (i: number) => (el: HTMLTableRowElement | null) => {
    rowRefs.current[i] = el;
  };
  return { focus, setFocus, rowRef };
}
