"use client";

import { countOf } from "@/components/ui/count.ts";
import { useId, useMemo, useRef, useState } from "react";
import { verifyBundle, type BundleReport } from "@/lib/core/bundle/verify.ts";
import { DeploymentVerdict, deploymentPolicy } from "@/components/verify/deployment-verdict.tsx";
import { PersonalFields } from "./personal-fields.tsx";
import type { VerifyContext } from "@/lib/server/bundles/verify-context.ts";
import "./bundles.css";

// "Verify a bundle": the offline verifier (lib/core/bundle/verify.ts) running in this
// browser tab on a file the user picks. The file is read locally and never uploaded.
// The server tells it this deployment's keys (current and retired, as the integrity center
// selects them) and witnesses: they label who signed and cosigned, in red when the key is none of
// them. They never pin — the operator serves them — so only a key the user gives can verify.

const yieldToUi = () => new Promise<void>((r) => setTimeout(r, 0));

/** A run overtaken by a newer one (another key or file): its progress callback stops it. */
class Superseded extends Error {}

/** What a verdict was computed from: shown only while the page still holds exactly that. */
type Checked = { report: BundleReport; file: File; key: string; run: number };

export function VerifyBundleView({ deployment }: { deployment: VerifyContext }) {
  const currentKey = deployment.keys.find((k) => k.status === "current")?.verifierKey ?? null;
  const policy = useMemo(() => deploymentPolicy(deployment), [deployment]);
  const check = useBundleCheck(policy);
  const { current, busy } = check;
  return (
    <div className="stack">
      <section className="card stack">
        <h1 className="page-title">Verify an evidence bundle</h1>
        <p className="muted">
          Checks a bundle&apos;s ZIP exactly as <code>npx ledgerline verify-bundle</code> does: the signature over
          SHA256SUMS, every file&apos;s checksum, the signed checkpoint, each entry&apos;s leaf hash and inclusion
          proof, each disclosed personal value against its commitment, and the manifest. The file is read in this
          browser and never leaves it.
        </p>
        <p className="muted small" data-testid="verify-known-keys">
          Each bundle is compared with this deployment&apos;s {deployment.keys.length} log key(s) (current and retired)
          {deployment.witnesses ? ` and its witnesses (quorum ${deployment.witnesses.rule})` : ""}. Any other key is
          shown in red. They label a bundle; to verify it, pin a key you obtained yourself below.
        </p>
        <TrustedKeyInput value={check.key} onChange={check.changeKey} currentKey={currentKey} />
        <BundleDrop busy={busy} onPick={check.pick} />
        <CheckStatus check={check} />
      </section>
      {current && !busy && (
        <VerifyReport report={current.report} name={current.file.name} run={current.run}>
          <DeploymentVerdict report={current.report} deployment={deployment} pinnedKey={current.key} />
        </VerifyReport>
      )}
    </div>
  );
}

/**
 * The check of one picked file against the key typed so far: the newest run wins (an older
 * one stops at its next progress callback), and a verdict is shown only for exactly the file
 * and key it was computed from.
 */
function useBundleCheck(policy: ReturnType<typeof deploymentPolicy>) {
  const [key, setKey] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [checked, setChecked] = useState<Checked | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [readError, setReadError] = useState<string | null>(null);
  const runId = useRef(0);
  const rerun = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  async function run(f: File, pinned: string) {
    const id = ++runId.current;
    clearTimeout(rerun.current);
    setFile(f);
    setReadError(null);
    setBusy(true);
    setProgress(null);
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      await yieldToUi();
      const r = await verifyBundle(bytes, {
        key: pinned.trim() || undefined,
        countWitnesses: policy,
        now: Math.floor(Date.now() / 1000),
        onProgress: async (done, total) => {
          if (id !== runId.current) throw new Superseded();
          setProgress({ done, total });
          await yieldToUi();
        },
      });
      if (id === runId.current) setChecked({ report: r, file: f, key: pinned.trim(), run: id });
    } catch (e) {
      if (id === runId.current && !(e instanceof Superseded))
        setReadError(`${f.name} could not be read (${(e as Error).message || "unknown error"}); choose it again.`);
    } finally {
      if (id === runId.current) setBusy(false);
    }
  }

  // A new trusted key invalidates the verdict at once (it is never shown for
  // another key: see `current` below) and, once typing pauses, checks again.
  function changeKey(next: string) {
    setKey(next);
    clearTimeout(rerun.current);
    if (file) rerun.current = setTimeout(() => void run(file, next), 350);
  }

  function pick(f: File | undefined) {
    if (f) void run(f, key);
  }

  const current = checked && checked.file === file && checked.key === key.trim() ? checked : null;
  const stale = !!file && !busy && !current && !readError;
  return { key, file, busy, progress, readError, current, stale, changeKey, pick };
}

type BundleCheck = ReturnType<typeof useBundleCheck>;

function TrustedKeyInput({
  value,
  onChange,
  currentKey,
}: {
  value: string;
  onChange: (next: string) => void;
  currentKey: string | null;
}) {
  const keyInput = useId();
  return (
    <>
      <label htmlFor={keyInput}>Trusted key (optional): a verifier key string or a public-key PEM</label>
      <input
        id={keyInput}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder="name+keyid+base64…"
        data-testid="verify-key"
        spellCheck={false}
        autoComplete="off"
      />
      {currentKey && (
        <div>
          <button
            type="button"
            className="btn small"
            onClick={() => onChange(currentKey)}
            data-testid="verify-use-current-key"
          >
            Use this deployment&apos;s current key
          </button>
        </div>
      )}
    </>
  );
}

function BundleDrop({ busy, onPick }: { busy: boolean; onPick: (f: File | undefined) => void }) {
  const [over, setOver] = useState(false);
  const fileInput = useId();
  return (
    <div
      className={`verify-drop${over ? " over" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        onPick(e.dataTransfer.files[0]);
      }}
    >
      <label htmlFor={fileInput} className="verify-drop-label">
        Drop the bundle&apos;s .zip here, or choose it
      </label>
      <input
        id={fileInput}
        type="file"
        accept=".zip,application/zip"
        data-testid="verify-file"
        disabled={busy}
        onChange={(e) => {
          onPick(e.target.files?.[0]);
          // Choosing the same file again must check it again: an input only
          // reports a change when its value changes.
          e.target.value = "";
        }}
      />
    </div>
  );
}

function CheckStatus({ check: { busy, file, key, progress, stale, readError } }: { check: BundleCheck }) {
  return (
    <>
      {busy && (
        <p data-testid="verify-progress" role="status">
          Checking {file?.name}
          {key.trim() ? " against the key you entered" : ""}…
          {progress
            ? ` ${progress.done.toLocaleString("en-US")} of ${progress.total.toLocaleString("en-US")} entries`
            : ""}
        </p>
      )}
      {stale && (
        <p className="muted" data-testid="verify-stale" role="status">
          The trusted key changed: checking {file?.name} again…
        </p>
      )}
      {readError && (
        <p className="bad" role="alert" data-testid="verify-read-error">
          {readError}
        </p>
      )}
    </>
  );
}

const SUMMARY: Record<BundleReport["verdict"], string> = {
  verified: "Verified: all checks passed, signed by the key you pinned",
  unpinned:
    "Consistent but unpinned — not verified: every check passed against the key the bundle carries itself; pin this deployment's key to verify",
  "no-quorum": "Quorum not met — not verified: too few of the trusted witnesses cosigned this bundle's checkpoint",
  failed: "Not verified: see the failed checks",
};

function VerifyReport({
  report,
  name,
  run,
  children,
}: {
  report: BundleReport;
  name: string;
  run: number;
  children: React.ReactNode;
}) {
  const keySkipped = report.checks.some((c) => c.id === "key" && c.status === "skip");
  // Unpinned is never shown as a success: anyone with any key can make a consistent bundle.
  const tone = report.verdict === "verified" ? "ok" : report.verdict === "unpinned" ? "warn" : "bad";
  return (
    <section
      className={`card banner ${tone} stack`}
      data-testid="verify-result"
      data-ok={report.ok ? "true" : "false"}
      data-run={run}
      data-verdict={report.verdict}
    >
      <div className="verify-summary">{SUMMARY[report.verdict]}</div>
      {children}
      <div className="muted small">
        {name}
        {report.manifest &&
          ` · bundle ${report.manifest.bundleId} · ${countOf(report.manifest.count, "entry", "entries")} of ${report.manifest.origin} · created ${report.manifest.createdAt} by ${report.manifest.createdBy}`}
      </div>
      <ul className="verify-checks">
        {report.checks.map((c) => (
          <li key={c.id} data-testid={`verify-check-${c.id}`} data-status={c.status}>
            <span className={`mark ${c.status === "pass" ? "ok" : c.status === "fail" ? "bad" : "muted"}`}>
              {c.status === "pass" ? "✔" : c.status === "fail" ? "✘" : "!"}
            </span>
            <span className="mono">{c.label}</span>
            <span>{c.title}</span>
            <span className="detail">
              {c.detail}
              {c.firstBadSeq !== undefined ? ` (first bad seq ${c.firstBadSeq})` : ""}
            </span>
          </li>
        ))}
      </ul>
      <PersonalFields personal={report.personal} />
      {report.key && (
        <p className="small">
          Signing key fingerprint{" "}
          <span className="mono break" data-testid="verify-fingerprint">
            {report.key.fingerprint}
          </span>
          {keySkipped &&
            " — compare it with the one the deployment publishes (its integrity page or GET /api/v1/keys), out of band."}
        </p>
      )}
    </section>
  );
}
