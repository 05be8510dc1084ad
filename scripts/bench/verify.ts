// Section 4 of the bench: a full verifyLog pass over a generated log beside the raw
// rate of JCS + SHA-256 leaf hashes on the same machine (the work it cannot avoid).
import { performance } from "node:perf_hooks";
import { canonicalJson, hasLoneSurrogate } from "@/lib/core/index.ts";
import { openDriver } from "@/lib/server/db/driver.ts";
import { migrate } from "@/lib/server/db/migrate.ts";
import { buildEntry, type Entry } from "@/lib/server/ledger/entry.ts";
import { verifyLog } from "@/lib/server/ledger/verify.ts";
import { hashLeafText } from "@/lib/node-hasher.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { createWorkerPool } from "@/lib/server/workers/pool.ts";
import { HASH_ROUND_MS, SOURCE, fmt, log } from "./config.ts";
import { verifyTarget } from "./targets.ts";
import type { Dataset } from "./generate.ts";
import { makeEvents } from "./ingest.ts";

export type VerifyFigures = { entries: number; perS: number; ms: number; ok: boolean; hashPerS: number };

/** One leaf hash the way the verifier's workers make it: JCS, the surrogate check, one native SHA-256 call. */
function leafHash(e: Entry): Uint8Array {
  const text = canonicalJson(e);
  if (hasLoneSurrogate(text)) throw new Error("lone surrogate");
  return hashLeafText(text);
}

/** Median of three rounds of JCS + SHA-256 leaf hashes (one core). */
function benchHash(entries: Entry[]): number {
  for (let i = 0; i < Math.min(entries.length, 5000); i++) leafHash(entries[i]!);
  const rounds: number[] = [];
  let sink = 0;
  for (let r = 0; r < 3; r++) {
    let n = 0;
    const t0 = performance.now();
    do {
      for (const e of entries) sink ^= leafHash(e)[0]!;
      n += entries.length;
    } while (performance.now() - t0 < HASH_ROUND_MS);
    rounds.push((n / (performance.now() - t0)) * 1000);
  }
  if (sink === 256) console.log();
  return rounds.sort((a, b) => a - b)[1]!;
}

/** Section 4. */
export async function benchVerify(ds: Dataset, problems: string[]): Promise<VerifyFigures> {
  log(`4. full verification (verifyLog) of ${fmt(ds.meta.entries)} entries…`);
  const d = openDriver({ dialect: "sqlite", file: ds.file, url: `file:${ds.file}` });
  // A cached set made before the newest migrations gets them first, as an upgraded server would.
  await migrate(d);
  // As verify-log and the integrity center run it: leaf hashes on every core (the default pool size).
  const pool = createWorkerPool(loadConfig().workers);
  try {
    const t0 = performance.now();
    const r = await verifyLog(d, {
      origin: ds.meta.origin,
      verifiers: [{ name: ds.meta.keyName, publicKey: Uint8Array.from(ds.meta.publicKey) }],
      parallel: { pool, store: { dialect: "sqlite", file: ds.file } },
    });
    const ms = performance.now() - t0;
    const sample = makeEvents(20_000).map((e, i) => buildEntry(e, i + 1, new Date().toISOString(), SOURCE));
    const hashPerS = benchHash(sample);
    const verify = { entries: r.treeSize, perS: (r.treeSize / ms) * 1000, ms, ok: r.ok, hashPerS };
    log(
      `    ${fmt(verify.perS)} entries/s with ${pool.size} worker threads (${r.ok ? "ok" : `FAILED: ${r.reason}`}) vs raw JCS+SHA-256 on one core ${fmt(hashPerS)}/s = ${verifyTarget(verify)}`,
    );
    if (!r.ok) problems.push(`verifyLog of the generated log failed: ${r.reason}`);
    return verify;
  } finally {
    await pool.close();
    await d.close();
  }
}
