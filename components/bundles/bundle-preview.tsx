"use client";

import { useState } from "react";
import { describeFilter } from "./describe.ts";
import { parseWithhold, type BundlePreviewView } from "./bundle-request.ts";
import "./bundles.css";

// What a bundle will hold, shown before it is created: the filter with its time
// range as absolute instants (a preset resolved now) and the explorer's count.

const RANGE_NAMES: Record<string, string> = {
  "15m": "last 15 minutes",
  "1h": "last hour",
  "24h": "last 24 hours",
  "7d": "last 7 days",
  "30d": "last 30 days",
  all: "all time",
};

export function BundlePreview({
  preview,
  busy,
  onConfirm,
  onCancel,
}: {
  preview: BundlePreviewView;
  busy: boolean;
  onConfirm: (withhold: string[]) => void;
  onCancel: () => void;
}) {
  const n = preview.count;
  const [withholdText, setWithholdText] = useState("");
  const withhold = parseWithhold(withholdText);
  return (
    <div className="bundle-preview" data-testid="bundle-preview" role="group" aria-label="Bundle to create">
      <p className="small">
        <strong data-testid="bundle-preview-count" data-count={n}>
          {n.toLocaleString("en-US")} {n === 1 ? "entry" : "entries"}
        </strong>{" "}
        match now
        {preview.range && ` (${RANGE_NAMES[preview.range] ?? preview.range}, resolved at ${preview.resolvedAt})`}:
      </p>
      <p className="small mono break" data-testid="bundle-preview-filter">
        {describeFilter(preview.filter)}
      </p>
      {n === 0 && <p className="small muted">The bundle will be empty (still signed: it proves nothing matched).</p>}
      <p className="small muted">
        The bundle holds exactly this selection, up to the checkpoint signed when it is built.
      </p>
      <WithholdInput value={withholdText} onChange={setWithholdText} problem={withhold.ok ? null : withhold.error} />
      <span className="bundle-preview-actions">
        <button
          className="btn primary small"
          type="button"
          onClick={() => withhold.ok && onConfirm(withhold.value)}
          disabled={busy || !withhold.ok}
          data-testid="bundle-confirm"
        >
          {busy ? "Starting…" : `Create bundle of ${n.toLocaleString("en-US")} ${n === 1 ? "entry" : "entries"}`}
        </button>
        <button className="btn small" type="button" onClick={onCancel} disabled={busy} data-testid="bundle-cancel">
          Cancel
        </button>
      </span>
    </div>
  );
}

/** The selective-disclosure choice: personal fields whose values the bundle carries as commitments only. */
function WithholdInput({
  value,
  onChange,
  problem,
}: {
  value: string;
  onChange: (v: string) => void;
  problem: string | null;
}) {
  return (
    <label className="small bundle-withhold">
      <span>
        Withhold personal fields (optional): JSON pointers such as <code>/requester/ip</code>, separated by spaces
      </span>
      <span className="muted withhold-hint">
        The bundle still verifies: these values are replaced by their commitments, and the signed manifest names them.
      </span>
      <input
        value={value}
        onChange={(e) => onChange(e.target.value)}
        // Inside the /bundles form: Enter here must not re-resolve the selection.
        onKeyDown={(e) => e.key === "Enter" && e.preventDefault()}
        placeholder="/requester/ip /attributes/user"
        aria-invalid={problem ? true : undefined}
        data-testid="bundle-withhold"
      />
      {problem && (
        <span className="bad" data-testid="bundle-withhold-error">
          {problem}
        </span>
      )}
    </label>
  );
}
