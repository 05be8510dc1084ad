"use client";

import { useRef, useState } from "react";
import type { Notice } from "./types.ts";

// Small pieces shared by the admin screens: a one-time secret, a two-step
// confirmation for destructive buttons, timestamps, the notice line, and the
// card that lists what a screen manages.

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

/** A destructive button that asks once more, inline (no browser dialog). */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  disabled,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="btn small danger" onClick={() => setAsking(true)} disabled={disabled}>
        {label}
      </button>
    );
  }
  return (
    <span className="inline" role="group" aria-label={question}>
      <span>{question}</span>
      <button
        type="button"
        className="btn small danger"
        data-testid="confirm"
        autoFocus
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className="btn small" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** An ISO timestamp as "2026-11-27 10:15 UTC" (same text on server and client). */
export function Time({ iso, empty = "never" }: { iso: string | null; empty?: string }) {
  if (!iso) return <span className="muted">{empty}</span>;
  return (
    <time dateTime={iso} title={iso}>
      {iso.slice(0, 16).replace("T", " ")} UTC
    </time>
  );
}

export function NoticeLine({ notice }: { notice: Notice }) {
  if (!notice) return null;
  return notice.kind === "error" ? (
    <p role="alert" className="bad" data-testid="action-error">
      {notice.text}
    </p>
  ) : (
    <p role="status" className="ok" data-testid="action-ok">
      {notice.text}
    </p>
  );
}

/** A titled card with a table: the columns plus an Actions column, the rows, or one row saying why there are none. */
export function AdminTable({
  title,
  testId,
  columns,
  empty,
  rows,
}: {
  title: string;
  testId: string;
  columns: string[];
  empty: React.ReactNode;
  rows: React.ReactNode[];
}) {
  return (
    <section className="card">
      <h2>{title}</h2>
      {/* Scrolls inside the card on narrow screens; focusable so the keyboard can scroll it too. */}
      <div className="table-scroll" tabIndex={0} role="region" aria-label={title}>
        <table className="plain" data-testid={testId}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
              <th>
                <span className="muted">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length + 1} className="muted" data-testid="empty">
                  {empty}
                </td>
              </tr>
            ) : (
              rows
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
