"use client";

import { useState } from "react";
import { verifyBundle, type BundleReport } from "@/lib/core/bundle/verify.ts";
import "./bundles.css";

// "Verify a bundle": the offline verifier (lib/core/bundle/verify.ts) running in this
// browser tab on a file the user picks. The file is read locally and never uploaded.

const yieldToUi = () => new Promise<void>((r) => setTimeout(r, 0));

export function VerifyBundleView({ currentKey }: { currentKey: string | null }) {
  const [key, setKey] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<BundleReport | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(f: File, pinned: string) {
    setFile(f);
    setReport(null);
    setBusy(true);
    setProgress(null);
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      await yieldToUi();
      const r = await verifyBundle(bytes, {
        key: pinned.trim() || undefined,
        onProgress: async (done, total) => {
          setProgress({ done, total });
          await yieldToUi();
        },
      });
      setReport(r);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <section className="card stack">
        <h2>Verify an evidence bundle</h2>
        <p className="muted">
          Checks a bundle&apos;s ZIP exactly as <code>npx ledgerline verify-bundle</code> does: the signature over
          SHA256SUMS, every file&apos;s checksum, the signed checkpoint, each entry&apos;s leaf hash and inclusion
          proof, and the manifest. The file is read in this browser and never leaves it.
        </p>
        <label>
          Trusted key (optional): a verifier key string or a public-key PEM
          <input
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="name+keyid+base64…"
            data-testid="verify-key"
            spellCheck={false}
          />
        </label>
        {currentKey && (
          <div>
            <button
              type="button"
              className="btn small"
              onClick={() => setKey(currentKey)}
              data-testid="verify-use-current-key"
            >
              Use this deployment&apos;s current key
            </button>
          </div>
        )}
        <DropZone busy={busy} onFile={(f) => void run(f, key)} />
        {busy && (
          <p data-testid="verify-progress" role="status">
            Checking {file?.name}…
            {progress
              ? ` ${progress.done.toLocaleString("en-US")} of ${progress.total.toLocaleString("en-US")} entries`
              : ""}
          </p>
        )}
      </section>
      {report && file && <VerifyReport report={report} name={file.name} />}
    </div>
  );
}

/** Drop a file here, or pick it: the ZIP is read in the browser. */
function DropZone({ busy, onFile }: { busy: boolean; onFile: (f: File) => void }) {
  const [over, setOver] = useState(false);
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
        const f = e.dataTransfer.files[0];
        if (f) onFile(f);
      }}
    >
      <p>Drop the bundle&apos;s .zip here, or</p>
      <input
        type="file"
        accept=".zip,application/zip"
        data-testid="verify-file"
        disabled={busy}
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) onFile(f);
        }}
      />
    </div>
  );
}

function VerifyReport({ report, name }: { report: BundleReport; name: string }) {
  const keySkipped = report.checks.some((c) => c.id === "key" && c.status === "skip");
  return (
    <section
      className={`card banner ${report.ok ? "ok" : "bad"} stack`}
      data-testid="verify-result"
      data-ok={report.ok ? "true" : "false"}
    >
      <div className="verify-summary">
        {report.ok
          ? keySkipped
            ? "All checks passed — now compare the key"
            : "All checks passed"
          : "Not verified: see the failed checks"}
      </div>
      <div className="muted small">
        {name}
        {report.manifest &&
          ` · bundle ${report.manifest.bundleId} · ${report.manifest.count.toLocaleString("en-US")} entries of ${report.manifest.origin} · created ${report.manifest.createdAt} by ${report.manifest.createdBy}`}
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
      {report.key && (
        <p className="small">
          Signing key fingerprint{" "}
          <span className="mono" data-testid="verify-fingerprint">
            {report.key.fingerprint}
          </span>
          {keySkipped &&
            " — compare it with the one the deployment publishes (its integrity page or GET /api/v1/keys), out of band."}
        </p>
      )}
    </section>
  );
}
