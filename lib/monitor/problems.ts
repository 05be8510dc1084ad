// What a monitoring pass can find, and the exit code `ledgerline monitor` gives each
// (documented in docs/witness-and-monitor.md).

export type ProblemKind =
  | "bad-signature"
  | "lost-quorum"
  | "rollback"
  | "fork"
  | "root-mismatch"
  | "leaf-mismatch"
  | "truncation"
  | "history-changed"
  | "key-changed";

/** Exit codes of `ledgerline monitor`, one per problem (documented in docs/witness-and-monitor.md). */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  unreachable: 3,
  "bad-signature": 10,
  "lost-quorum": 11,
  rollback: 12,
  fork: 13,
  "root-mismatch": 14,
  "leaf-mismatch": 15,
  truncation: 16,
  "history-changed": 17,
  "key-changed": 18,
} as const;

export type Problem = { kind: ProblemKind; reason: string; firstBadSeq: number | null; evidence: string };

export class Found extends Error {
  constructor(readonly problem: Omit<Problem, "evidence"> & { evidence?: string }) {
    super(problem.reason);
  }
}

export function found(kind: ProblemKind, reason: string, firstBadSeq: number | null = null, evidence?: string): never {
  throw new Found({ kind, reason, firstBadSeq, evidence });
}
