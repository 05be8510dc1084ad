"use client";

import { useRef, useState } from "react";
import { CopyButton } from "./copy-button.tsx";
import { splitIdentifier } from "./identifier-text.ts";
import { visibleText } from "./reveal-invisible.ts";
import { VisibleText } from "./visible-text.tsx";
import "./ui.css";

// One way to show a machine identity, target, source, email or id anywhere in
// the dashboard: one line, shortened in the middle to the space it has (the
// distinguishing end stays visible), the whole value in the DOM (so selecting,
// copying, searching the page and screen readers get all of it), on hover (title)
// and on keyboard focus (a popover in the top layer, so no scrolling box clips
// it), and a copy button. A 1 024-character value never widens its page.

/** The middle-cut text alone, for places that draw their own box (a row that is a link). */
export function IdentifierText({ value }: { value: string }) {
  const { head, tail } = splitIdentifier(value);
  return (
    <span className="ident-text">
      <span className="ident-head">
        <VisibleText text={head} />
      </span>
      {/* When even the tail does not fit, it loses its start, never its end (rtl box, ltr text). */}
      {tail && (
        <span className="ident-tail">
          <span dir="ltr">
            <VisibleText text={tail} />
          </span>
        </span>
      )}
    </span>
  );
}

/**
 * `children`, when given, is the element that holds the text (a link, usually):
 * it must contain <IdentifierText value={value} />. Without children the text is
 * plain. `copy` names the value for the copy button ("requester"); false hides it.
 */
export function Identifier({
  value,
  copy,
  children,
  className,
  testId,
}: {
  value: string;
  copy: string | false;
  children?: React.ReactNode;
  className?: string;
  testId?: string;
}) {
  const box = useRef<HTMLSpanElement>(null);
  const tip = useRef<HTMLSpanElement>(null);
  const [at, setAt] = useState<{ left: number; top: number } | null>(null);

  const showTip = () => {
    const r = box.current?.getBoundingClientRect();
    if (!r) return;
    setAt({ left: Math.max(8, Math.min(r.left, window.innerWidth - 8 - 480)), top: r.bottom + 4 });
    try {
      tip.current?.showPopover?.();
    } catch {
      // already open, or no popover support: the title still has the value
    }
  };
  const hideTip = (e: React.FocusEvent) => {
    if (e.relatedTarget instanceof Node && box.current?.contains(e.relatedTarget)) return;
    setAt(null);
    try {
      tip.current?.hidePopover?.();
    } catch {
      // not open
    }
  };

  return (
    <span
      ref={box}
      className={`ident${className ? ` ${className}` : ""}`}
      title={visibleText(value)}
      data-testid={testId}
      onFocus={showTip}
      onBlur={hideTip}
    >
      {children ?? <IdentifierText value={value} />}
      {copy !== false && <CopyButton value={value} label={copy} />}
      <span
        ref={tip}
        popover="manual"
        className="ident-popover mono"
        aria-hidden="true"
        style={at ? { left: at.left, top: at.top } : undefined}
      >
        {at ? value : null}
      </span>
    </span>
  );
}
