import type { Ledger } from "../ledger/ledger.ts";
import type { WorkerPool } from "../workers/pool.ts";

// What a verifier run concludes. Verification returns these; it never throws for findings.

export const INTEGRITY_KINDS = [
  "modified",
  "gap",
  "reordered",
  "inserted",
  "truncated",
  "rollback",
  "forged-checkpoint",
  "deleted-checkpoint",
  "fork",
  "guards",
  "forged-key",
  "other",
] as const;
export type IntegrityKind = (typeof INTEGRITY_KINDS)[number];

export type RunMode = "incremental" | "full" | "sample";
export type RunStatus = "running" | "ok" | "failed";

export type IntegrityResult = {
  ok: boolean;
  mode: "incremental" | "full";
  /** Entries in the log when the run started (the part it examined). */
  treeSize: number;
  /** The last seq proven intact (the whole treeSize when ok). */
  verifiedThrough: number;
  checkpointsChecked: number;
  entriesChecked: number;
  firstBadSeq: number | null;
  kind: IntegrityKind | null;
  reason: string | null;
  runId: string;
};

/** A finding: where and how the log differs from what was signed or seen. */
export type Finding = { kind: IntegrityKind; firstBadSeq: number | null; reason: string };

/** This process's verifier state for one ledger: the run in progress and the last alert sent. */
export type IntegrityLive = {
  running: {
    id: string;
    mode: "incremental" | "full";
    done: number;
    total: number;
    promise: Promise<IntegrityResult>;
  } | null;
  lastAlert: string | null;
};

/** The part of a Runtime the verifier needs (lib/server/runtime/runtime.ts makes one per ledger). */
/** `workers`: full passes recompute leaf hashes in the runtime's worker pool when it has one. */
export type IntegrityRuntime = Ledger & { integrity: IntegrityLive; workers?: WorkerPool };

export type RunOptions = {
  mode: "incremental" | "full";
  onProgress?: (done: number, total: number) => void;
  /** Who asked (user email), for on-demand runs. */
  requestedBy?: string | null;
  /** Send alerts on failure (default true). */
  alert?: boolean;
  batch?: number;
};
