import { can } from "@/lib/server/auth/permissions.ts";
import { FullPassButton } from "@/components/integrity/full-pass-button.tsx";
import { VerifierKeyCard } from "@/components/integrity/verifier-key-card.tsx";
import { Card } from "@/components/ui/card.tsx";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { viewIntegrityStatus, type IntegrityStatus } from "@/lib/server/integrity/index.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { startFullPassAction } from "./actions.ts";

export const dynamic = "force-dynamic";

const utc = (iso: string | null | undefined) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, " UTC") : "—");

export default async function IntegrityPage() {
  const principal = await requirePagePermission("/integrity", "integrity:read");
  // Looking at the evidence is itself evidence (the audit of the auditors): the use case records it, fail closed.
  const s = await viewIntegrityStatus(await getRuntime(), principal);
  const banner =
    s.status === "verified"
      ? {
          cls: "ok",
          text: `Verified through seq ${s.verifiedThrough.toLocaleString("en-US")} at ${utc(s.lastRun?.finishedAt)}`,
        }
      : s.status === "broken"
        ? {
            cls: "bad",
            text: `Broken${s.latestFailure?.firstBadSeq ? ` at seq ${s.latestFailure.firstBadSeq}` : ""}: ${s.latestFailure?.reason ?? "see the latest run"}`,
          }
        : { cls: "muted", text: "Not verified yet: the first pass runs shortly after start, or run one now." };
  return (
    <main>
      <div className="page-head">
        <h1 className="page-title">Integrity</h1>
        <span className="muted">
          Is the log still the one that was signed? Every check, and who ran it, is in the log.
        </span>
      </div>
      <section className={`card banner ${banner.cls}`} data-testid="integrity-status" role="status">
        <strong>
          {s.status === "verified" ? "Intact" : s.status === "broken" ? "Tampering detected" : "Unverified"}
        </strong>
        <span>{banner.text}</span>
        <span className="muted">
          {s.treeSize.toLocaleString("en-US")} entries in the log
          {s.latestFailure?.kind ? ` · kind: ${s.latestFailure.kind}` : ""}
        </span>
      </section>

      <div className="section grid">
        <VerifierKeyCard verifierKey={s.verifierKey} fingerprint={s.fingerprint} testId="integrity-key" />
        <Card title="Full verification">
          <p className="muted">
            Recomputes every leaf from the stored entries, rebuilds the tree, checks every checkpoint&apos;s signature
            and that each is consistent with the last.
          </p>
          {can(principal.role, "integrity:run") ? (
            <FullPassButton start={startFullPassAction} />
          ) : (
            <p className="muted">Starting a full pass needs the integrity:run permission.</p>
          )}
        </Card>
      </div>

      <div className="section">
        <RunsCard runs={s.runs} />
      </div>

      <div className="section">
        <CheckpointsCard checkpoints={s.checkpoints} />
      </div>
    </main>
  );
}

function RunsCard({ runs }: { runs: IntegrityStatus["runs"] }) {
  return (
    <Card title="Verification runs" testId="integrity-runs">
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Verification runs">
        <table className="plain">
          <thead>
            <tr>
              <th>started</th>
              <th>mode</th>
              <th>status</th>
              <th>through seq</th>
              <th>entries checked</th>
              <th>finding</th>
            </tr>
          </thead>
          <tbody>
            {runs.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No runs yet.
                </td>
              </tr>
            )}
            {runs.map((r) => (
              <tr key={r.id}>
                <td className="nowrap">{utc(r.startedAt)}</td>
                <td>{r.mode}</td>
                <td>
                  <span className={`badge ${r.status === "ok" ? "ok" : r.status === "failed" ? "bad" : ""}`}>
                    {r.status}
                  </span>
                </td>
                <td>{r.verifiedThrough?.toLocaleString("en-US") ?? "—"}</td>
                <td>{r.entriesChecked?.toLocaleString("en-US") ?? "—"}</td>
                <td className="break">
                  {r.reason ? `${r.kind ?? ""} ${r.firstBadSeq ? `at seq ${r.firstBadSeq}: ` : ""}${r.reason}` : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

function CheckpointsCard({ checkpoints }: { checkpoints: IntegrityStatus["checkpoints"] }) {
  return (
    <Card title="Checkpoint history" testId="integrity-checkpoints">
      <div className="table-scroll" tabIndex={0} role="region" aria-label="Checkpoint history">
        <table className="plain">
          <thead>
            <tr>
              <th>tree size</th>
              <th>signed</th>
              <th>key id</th>
            </tr>
          </thead>
          <tbody>
            {checkpoints.map((c) => (
              <tr key={c.treeSize}>
                <td>{c.treeSize.toLocaleString("en-US")}</td>
                <td className="nowrap">{utc(c.createdAt)}</td>
                <td className="mono">{c.keyId}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
