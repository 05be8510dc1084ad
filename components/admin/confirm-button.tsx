"use client";

import { useState } from "react";

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
