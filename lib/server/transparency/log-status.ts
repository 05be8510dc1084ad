import "server-only";
import type { Ledger } from "../ledger/ledger.ts";
import { committedSize, latestCheckpoint } from "./proofs.ts";

// What the landing page shows before sign-in exists: the state of the log and
// how to verify it — public facts only (no event contents).

export type LogStatus = {
  origin: string;
  store: "SQLite" | "PostgreSQL";
  treeSize: number;
  checkpoint: { treeSize: number; createdAt: string; note: string } | null;
  verifierKey: string;
  fingerprint: string;
  activeIngestKeys: number;
};

export async function getLogStatus(ledger: Ledger): Promise<LogStatus> {
  const [treeSize, cp, key, activeIngestKeys] = await Promise.all([
    committedSize(ledger),
    latestCheckpoint(ledger),
    ledger.signingKey(),
    ledger.prisma.ingestKey.count({ where: { revokedAt: null } }),
  ]);
  return {
    origin: ledger.config.origin,
    store: ledger.config.database.dialect === "sqlite" ? "SQLite" : "PostgreSQL",
    treeSize,
    checkpoint: cp ? { treeSize: cp.treeSize, createdAt: cp.createdAt, note: cp.note } : null,
    verifierKey: key.verifierKey,
    fingerprint: key.fingerprint,
    activeIngestKeys,
  };
}
