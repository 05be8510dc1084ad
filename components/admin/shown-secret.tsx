"use client";

import { useRef, useState } from "react";

/** A secret shown exactly once: copy it now, it is never displayed again. */
export function ShownSecret({
  title,
  value,
  note,
  onDone,
}: {
  title: string;
  value: string;
  note: React.ReactNode;
  onDone: () => void;
}) {
  const [copy, setCopy] = useState<"idle" | "copied" | "selected">("idle");
  const ref = useRef<HTMLElement>(null);

  async function onCopy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopy("copied");
    } catch {
      // No clipboard access (plain http on another host): select it for Ctrl+C.
      const range = document.createRange();
      if (ref.current) range.selectNodeContents(ref.current);
      const sel = window.getSelection();
      sel?.removeAllRanges();
      sel?.addRange(range);
      setCopy("selected");
    }
  }

  return (
    <div className="secret stack" role="status" data-testid="secret-box">
      <strong>{title}</strong>
      <code ref={ref} className="mono break" data-testid="shown-secret">
        {value}
      </code>
      <div className="inline">
        <button type="button" className="btn small" onClick={onCopy}>
          {copy === "copied" ? "Copied" : "Copy"}
        </button>
        <button type="button" className="btn small" onClick={onDone}>
          Done, I have stored it
        </button>
        {copy === "selected" && (
          <span className="muted">The browser blocks copying here; the text is selected — press Ctrl+C (⌘C).</span>
        )}
      </div>
      <div className="muted">{note}</div>
    </div>
  );
}
