"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

type Run = {
  status: string;
  progress?: { done: number; total: number } | null;
  reason?: string | null;
  firstBadSeq?: number | null;
  kind?: string | null;
};

/** Follows a run (GET /api/v1/integrity/runs/{id}) until it is no longer running, then refreshes the page. */
function useRunPolling(runId: string | null) {
  const router = useRouter();
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!runId) return;
    let stop = false;
    const tick = async () => {
      try {
        const r = await fetch(`/api/v1/integrity/runs/${encodeURIComponent(runId)}`, { cache: "no-store" });
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        const body = (await r.json()) as { run?: Run } & Run;
        const next = body.run ?? body;
        if (stop) return;
        setRun(next);
        if (next.status === "running") setTimeout(tick, 700);
        else router.refresh();
      } catch (e) {
        if (!stop) setError(`Lost track of the run (${(e as Error).message}); reload the page.`);
      }
    };
    void tick();
    return () => {
      stop = true;
    };
  }, [runId, router]);
  return { run, setRun, error, setError };
}

// Starts a full pass and follows its progress.
export function FullPassButton({
  start,
}: {
  start: () => Promise<{ ok: true; id: string } | { ok: false; error: string }>;
}) {
  const [runId, setRunId] = useState<string | null>(null);
  const { run, setRun, error, setError } = useRunPolling(runId);
  const [busy, setBusy] = useState(false);

  const running = run?.status === "running" || (busy && !run);
  const done = run?.progress?.done ?? 0;
  const total = run?.progress?.total ?? 0;
  const pct = total ? Math.floor((done / total) * 100) : 0;
  return (
    <div className="stack">
      <button
        type="button"
        className="btn primary"
        disabled={running}
        data-testid="run-full-pass"
        onClick={async () => {
          setBusy(true);
          setError(null);
          setRun(null);
          const r = await start();
          setBusy(false);
          if (r.ok) setRunId(r.id);
          else setError(r.error);
        }}
      >
        {running ? "Verifying…" : "Run a full pass"}
      </button>
      {run && (
        <div data-testid="full-pass-progress" role="status">
          {run.status === "running" && (
            <>
              <progress max={100} value={pct} /> verified {done.toLocaleString("en-US")} of{" "}
              {total.toLocaleString("en-US")} entries
            </>
          )}
          {run.status === "ok" && <span className="ok">Full pass finished: the log is intact.</span>}
          {run.status === "failed" && (
            <span className="bad">
              Full pass failed{run.firstBadSeq ? ` at seq ${run.firstBadSeq}` : ""}: {run.reason}
            </span>
          )}
        </div>
      )}
      {error && (
        <p className="bad" role="alert" data-testid="full-pass-error">
          {error}
        </p>
      )}
    </div>
  );
}
