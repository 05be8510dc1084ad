// ledgerline verify-log — recompute every leaf and root, check every checkpoint, against keys
// pinned from outside (never because the store lists them).
// Forensic mode: no migrations, no guard requirement, nothing written — a store whose
// guards were removed is exactly the one to examine.
import type { Pins } from "@/lib/core/pins.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { AppError } from "@/lib/server/errors.ts";
import { openDriver } from "@/lib/server/db/driver.ts";
import { checkGuards } from "@/lib/server/db/guards.ts";
import { quorumCheckpoint, resolveTrust, type Trust } from "@/lib/server/ledger/pins.ts";
import { verifyLog, type VerifyResult } from "@/lib/server/ledger/verify.ts";
import { storeOf } from "@/lib/server/workers/leaf-task.ts";
import { createWorkerPool } from "@/lib/server/workers/pool.ts";
import { UsageError, print, type CommandGroup, type CommandLine } from "./kit.ts";
import { PIN_OPTIONS, pinsFromArgs, type PinValues } from "./verify-pins.ts";

/** The exit codes (usage text, README "Verify the log"); 3 as verify-bundle's unpinned. */
const VERIFY_LOG_EXIT = { verified: 0, failed: 1, usage: 2, unpinned: 3, noQuorum: 4 } as const;

function pinsFrom(line: CommandLine): Pins {
  return pinsFromArgs(line.values as PinValues, (m) => new UsageError(m));
}

/** A progress line on stderr, at most once a second, and a newline at the end. */
function progressLine(): (done: number, total: number) => void {
  let lastPrint = 0;
  return (done, total) => {
    if (Date.now() - lastPrint > 1000 || done === total) {
      lastPrint = Date.now();
      process.stderr.write(
        `\rverifying… ${done} / ${total} entries (${total ? Math.floor((done / total) * 100) : 100}%)`,
      );
      if (done === total) process.stderr.write("\n");
    }
  };
}

type Outcome = VerifyResult & {
  guards: string[];
  verdict: "verified" | "failed" | "unpinned" | "no-quorum";
  trusted: string[];
  rejectedStatements: string[];
  witnessQuorum: { treeSize: number; witnesses: string[] } | null;
};

async function verifyStore(pins: Pins): Promise<Outcome> {
  const config = loadConfig();
  const db = openDriver(config.database);
  // Leaf hashes are recomputed on every core (LEDGERLINE_WORKERS threads, each reading the store itself).
  const pool = createWorkerPool(config.workers);
  try {
    const trust: Trust = await resolveTrust(db, config.origin, pins).catch(() => {
      throw new AppError(
        "not_found",
        "This store has no Ledgerline tables (signing_keys is missing). Check DATABASE_URL / LEDGERLINE_DATA_DIR.",
      );
    });
    const guards = await checkGuards(db);
    const verdict = await verifyLog(db, {
      origin: config.origin,
      verifiers: trust.verifiers,
      onProgress: progressLine(),
      parallel: { pool, store: storeOf(config.database) },
    });
    const witnessQuorum = pins.policy ? await quorumCheckpoint(db, pins.policy) : null;
    const base = {
      ...verdict,
      guards: guards.ok ? [] : guards.problems,
      trusted: trust.explanation,
      rejectedStatements: trust.rejected,
      witnessQuorum,
    };
    if (verdict.ok && !guards.ok) {
      const reason = `the entries verify, but the append-only guards are gone: ${guards.problems.join("; ")}`;
      return { ...base, ok: false, verdict: "failed", reason };
    }
    if (!verdict.ok) return { ...base, verdict: "failed" };
    if (pins.policy && !witnessQuorum) {
      const reason = "no checkpoint in this store carries a quorum of cosignatures by the witnesses you pinned";
      return { ...base, ok: false, verdict: "no-quorum", reason };
    }
    return { ...base, verdict: trust.pinned || witnessQuorum ? "verified" : "unpinned" };
  } finally {
    await pool.close();
    await db.close();
  }
}

function describe(r: Outcome): string {
  const trusted = [
    "Trusted:",
    ...r.trusted.map((t) => `  ${t}`),
    ...(r.witnessQuorum
      ? [`  witness quorum: checkpoint ${r.witnessQuorum.treeSize} cosigned by ${r.witnessQuorum.witnesses.join(", ")}`]
      : []),
    ...r.rejectedStatements.map((s) => `  not followed: ${s}`),
  ].join("\n");
  const summary = `${r.treeSize} entries verified; ${r.checkpoints} checkpoint(s) valid and consistent (latest ${r.latestCheckpoint}); root ${r.root}`;
  switch (r.verdict) {
    case "verified":
      return `VERIFIED: ${summary}\n${trusted}`;
    case "unpinned":
      return (
        `CONSISTENT, BUT UNPINNED: ${summary}\n${trusted}\n` +
        "These keys come from the store being checked: whoever runs the server can change them. " +
        "Pin the log's key you obtained out of band (--key, --trust-file) or witnesses (--witness … --quorum N)."
      );
    default:
      return `FAILED: ${r.reason}${r.firstBadSeq !== null ? ` (first bad seq ${r.firstBadSeq})` : ""}\n${trusted}`;
  }
}

export const verifyLogCommand: CommandGroup = {
  name: "verify-log",
  usage: `  verify-log [--json] [--key <verifier key>]... [--trust-file <file>]
             [--witness <witness vkey>... [--quorum N]]
                         recompute every leaf and root, check every checkpoint with the
                         keys you pin (following rotation statements from them); prints
                         which keys it trusted and why. Exit 0 verified, 1 not, 2 usage,
                         3 consistent but unpinned (no pin given), 4 no checkpoint with a
                         quorum of the pinned witnesses`,
  options: PIN_OPTIONS,
  async run(line) {
    const result = await verifyStore(pinsFrom(line));
    print(line.out, result, describe(result));
    const { verified, failed, unpinned, noQuorum } = VERIFY_LOG_EXIT;
    return { verified, failed, unpinned, "no-quorum": noQuorum }[result.verdict];
  },
};
