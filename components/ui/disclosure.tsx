"use client";

import { useCallback, useRef, useState } from "react";
import { useDismiss } from "./use-dismiss.ts";
import "./ui.css";

/**
 * A <details> popup (works before hydration) that also closes the way menus do:
 * Escape (focus back on its summary), a press outside it, or focus leaving it.
 */
export function Disclosure({
  summary,
  summaryClassName,
  className,
  testId,
  children,
}: {
  summary: React.ReactNode;
  summaryClassName?: string;
  className?: string;
  testId?: string;
  children: React.ReactNode;
}) {
  const box = useRef<HTMLDetailsElement>(null);
  const head = useRef<HTMLElement>(null);
  const [open, setOpen] = useState(false);
  const close = useCallback(() => {
    if (box.current) box.current.open = false;
  }, []);
  useDismiss(open, close, box, head);
  return (
    <details ref={box} className={className} data-testid={testId} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary ref={head} className={summaryClassName}>
        {summary}
      </summary>
      {children}
    </details>
  );
}
