// ledgerline verify-log — recompute every leaf and root, check every checkpoint.
// Forensic mode: no migrations, no guard requirement, nothing written — a store whose
// guards were removed is exactly the one to examine.
import { parseVerifierKey } from "@/lib/core/index.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { AppError } from "@/lib/server/errors.ts";
import { openDriver, type SqlDriver } from "@/lib/server/db/driver.ts";
import { checkGuards } from "@/lib/server/db/guards.ts";
import { verifyLog, type Verifier, type VerifyResult } from "@/lib/server/ledger/verify.ts";
import { storeOf } from "@/lib/server/workers/leaf-task.ts";
import { createWorkerPool } from "@/lib/server/workers/pool.ts";
import { UsageError, print, type CommandGroup } from "./kit.ts";

/** The keys given with --key; without any, every signing key the store lists, each for its own period. */
async function trustedVerifiers(keys: string[], db: SqlDriver): Promise<Verifier[]> {
  const verifiers: Verifier[] = [];
  for (const s of keys) {
    try {
      const v = parseVerifierKey(s);
      verifiers.push({ name: v.name, publicKey: v.publicKey });
    } catch (e) {
      throw new UsageError(`--key ${s}: ${(e as Error).message}`);
    }
  }
  if (verifiers.length) return verifiers;
  const rows = await db
    .all<{ name: string; public_key: Uint8Array; created_at: string; retired_at: string | null }>(
      "SELECT name, public_key, created_at, retired_at FROM signing_keys",
    )
    .catch(() => {
      throw new AppError(
        "not_found",
        "This store has no Ledgerline tables (signing_keys is missing). Check DATABASE_URL / LEDGERLINE_DATA_DIR.",
      );
    });
  // Each key counts only for checkpoints created within its validity period.
  return rows.map((r) => ({
    name: r.name,
    publicKey: new Uint8Array(r.public_key),
    createdAt: r.created_at,
    retiredAt: r.retired_at,
  }));
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

async function verifyStore(keys: string[]): Promise<VerifyResult & { guards: string[] }> {
  const config = loadConfig();
  const db = openDriver(config.database);
  // Leaf hashes are recomputed on every core (LEDGERLINE_WORKERS threads, each reading the store itself).
  const pool = createWorkerPool(config.workers);
  try {
    const verifiers = await trustedVerifiers(keys, db);
    const guards = await checkGuards(db);
    const verdict = await verifyLog(db, {
      origin: config.origin,
      verifiers,
      onProgress: progressLine(),
      parallel: { pool, store: storeOf(config.database) },
    });
    const result = { ...verdict, guards: guards.ok ? [] : guards.problems };
    if (verdict.ok && !guards.ok) {
      return {
        ...result,
        ok: false,
        reason: `the entries verify, but the append-only guards are gone: ${guards.problems.join("; ")}`,
      };
    }
    return result;
  } finally {
    await pool.close();
    await db.close();
  }
}

export const verifyLogCommand: CommandGroup = {
  name: "verify-log",
  usage: `  verify-log [--json] [--key <verifier key>]...
                         recompute every leaf and root, check every checkpoint;
                         exit 0 when intact, 1 when not`,
  options: { key: { type: "string", multiple: true } },
  async run(line) {
    const result = await verifyStore((line.values.key as string[] | undefined) ?? []);
    print(
      line.out,
      result,
      result.ok
        ? `OK: ${result.treeSize} entries verified; ${result.checkpoints} checkpoint(s) valid and consistent (latest ${result.latestCheckpoint}); root ${result.root}`
        : `FAILED: ${result.reason}${result.firstBadSeq !== null ? ` (first bad seq ${result.firstBadSeq})` : ""}`,
    );
    return result.ok ? 0 : 1;
  },
};
