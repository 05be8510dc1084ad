import { countOf } from "@/components/ui/count.ts";
import { can } from "@/lib/server/auth/permissions.ts";
import { FullPassButton } from "@/components/integrity/full-pass-button.tsx";
import { PinnedKeysCard } from "@/components/integrity/pinned-keys-card.tsx";
import { VerifierKeyCard } from "@/components/integrity/verifier-key-card.tsx";
import { Card } from "@/components/ui/card.tsx";
import { TableCard } from "@/components/ui/table-card.tsx";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { viewIntegrityStatus, type IntegrityStatus } from "@/lib/server/integrity/index.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { AcknowledgeDeleted } from "@/components/integrity/acknowledge-deleted.tsx";
import { acknowledgeDeletedAction, startFullPassAction } from "./actions.ts";

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
          {countOf(s.treeSize, "entry", "entries")} in the log
          {s.latestFailure?.kind ? ` · kind: ${s.latestFailure.kind}` : ""}
        </span>
      </section>

      <div className="section grid">
        <VerifierKeyCard verifierKey={s.verifierKey} fingerprint={s.fingerprint} testId="integrity-key" />
        <PinnedKeysCard pins={s.pinnedKeys} />
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

      {s.deletedCheckpoints.length > 0 && (
        <div className="section">
          <DeletedCheckpointsCard
            deleted={s.deletedCheckpoints}
            canAcknowledge={can(principal.role, "integrity:acknowledge")}
          />
        </div>
      )}

      <div className="section">
        <CoverageCard coverage={s.coverage} treeSize={s.treeSize} />
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
    <TableCard
      title="Verification runs"
      testId="integrity-runs"
      columns={["started", "mode", "status", "through seq", "entries checked", "finding"]}
    >
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
            <span className={`badge ${r.status === "ok" ? "ok" : r.status === "failed" ? "bad" : ""}`}>{r.status}</span>
          </td>
          <td>{r.verifiedThrough?.toLocaleString("en-US") ?? "—"}</td>
          <td>{r.entriesChecked?.toLocaleString("en-US") ?? "—"}</td>
          <td className="break">
            {r.reason ? `${r.kind ?? ""} ${r.firstBadSeq ? `at seq ${r.firstBadSeq}: ` : ""}${r.reason}` : "—"}
          </td>
        </tr>
      ))}
    </TableCard>
  );
}

function CheckpointsCard({ checkpoints }: { checkpoints: IntegrityStatus["checkpoints"] }) {
  return (
    <TableCard title="Checkpoint history" testId="integrity-checkpoints" columns={["tree size", "signed", "key id"]}>
      {checkpoints.map((c) => (
        <tr key={c.treeSize}>
          <td>{c.treeSize.toLocaleString("en-US")}</td>
          <td className="nowrap">{utc(c.createdAt)}</td>
          <td className="mono">{c.keyId}</td>
        </tr>
      ))}
    </TableCard>
  );
}

function DeletedCheckpointsCard({
  deleted,
  canAcknowledge,
}: {
  deleted: IntegrityStatus["deletedCheckpoints"];
  canAcknowledge: boolean;
}) {
  const open = deleted.filter((d) => !d.acknowledged).map((d) => d.treeSize);
  return (
    <TableCard
      title="Deleted checkpoints"
      testId="integrity-deleted"
      columns={["tree size", "signed", "key id", "noticed", "status"]}
      intro={
        <p className="muted">
          Signed checkpoints the verifier had seen that are no longer stored. The entries may still verify, but the
          signed statement that the log had this size at that time was removed: each stays a failure until an admin
          acknowledges it, and stays listed afterwards.
        </p>
      }
      footer={
        <>
          {open.length > 0 &&
            (canAcknowledge ? (
              <AcknowledgeDeleted treeSizes={open} acknowledge={acknowledgeDeletedAction} />
            ) : (
              <p className="muted">Only an admin can acknowledge a deleted checkpoint.</p>
            ))}
        </>
      }
    >
      {deleted.map((d) => (
        <tr key={d.treeSize}>
          <td>{d.treeSize.toLocaleString("en-US")}</td>
          <td className="nowrap">{utc(d.signedAt)}</td>
          <td className="mono">{d.keyId}</td>
          <td className="nowrap">{utc(d.detectedAt)}</td>
          <td className="break">
            {d.acknowledged ? (
              <span className="badge">
                acknowledged by {d.acknowledged.by} at {utc(d.acknowledged.at)}
              </span>
            ) : (
              <span className="badge bad">failure</span>
            )}
          </td>
        </tr>
      ))}
    </TableCard>
  );
}

function CoverageCard({ coverage, treeSize }: { coverage: IntegrityStatus["coverage"]; treeSize: number }) {
  const covered = coverage.ranges.reduce((n, r) => n + r.to - r.from + 1, 0);
  return (
    <TableCard
      title="Re-hash coverage"
      testId="integrity-coverage"
      columns={["entries", "last re-hashed"]}
      intro={
        <p className="muted">
          Besides new entries, every run recomputes a share of the old ones from their columns, so an entry rewritten in
          place is found without a full pass: every entry at least once every {coverage.periodHours} h
          {coverage.oldest ? `; the oldest range was last re-hashed at ${utc(coverage.oldest)}` : ""}.
          {covered < treeSize ? ` Entries after ${covered.toLocaleString("en-US")} are new since the last run.` : ""}
        </p>
      }
    >
      {coverage.ranges.length === 0 && (
        <tr>
          <td colSpan={2} className="muted">
            Nothing verified yet.
          </td>
        </tr>
      )}
      {coverage.ranges.map((r) => (
        <tr key={r.from}>
          <td className="nowrap">
            {r.from.toLocaleString("en-US")}–{r.to.toLocaleString("en-US")}
          </td>
          <td className="nowrap">{r.at ? utc(r.at) : "not since tracking began (next sweep)"}</td>
        </tr>
      ))}
    </TableCard>
  );
}
