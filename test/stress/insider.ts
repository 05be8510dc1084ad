// The insider scenarios of issue 14, each against a real server, a real witness process, a
// real monitor process and a real webhook receiver process (test/stress/insider-world.ts).
// The insider holds root, the database and the signing key. Each scenario must be detected
// by someone outside the server, *named* (the alert says what happened) and alerted (a
// webhook whose Ed25519 signature verifies):
//   d. an acknowledged entry changed in the unsigned tail → the sender's receipt names it;
//   e. a swapped key file → the server refuses to start and says why;
//   f. a forged signing_keys row → refused by the guard; with the guard dropped, the next
//      start names the key;
//   c. rollback of published checkpoints → witness refuses the smaller tree (server alert
//      "rollback"), monitor exit 12;
//   b. rewrite with the real key, verifier state deleted → witness 409 (server alert "fork"),
//      monitor exit 13;
//   a. re-signed rewrite with a new key, the only row → monitor exit 18 ("key changed without
//      a rotation statement", the root it verified differs), witness refuses the key (403).
// Used by scripts/stress/run.ts (suite `insider`) and scripts/tamper-demo.ts (the story).
import fs from "node:fs";
import { generateSigningKey, hashLeaf, signerKeyString, utf8, verifierKeyString } from "@/lib/core/index.ts";
import { verifyReceipt } from "@/lib/client/receipt.ts";
import { canonicalEntryFromRow, type EntryRow } from "@/lib/server/ledger/entry-row.ts";
import {
  ORIGIN,
  covered,
  expectMonitor,
  forgetVerifierState,
  ingest,
  keyFile,
  openDb,
  serverEnv,
  setUp,
  tearDown,
  withoutGuards,
  type Scenario,
  type World,
} from "./insider-world.ts";
import { REWRITES } from "./insider-rewrites.ts";
import { fetchFresh, killServer, runCli, startServer, stopServer, type Checks, type Store } from "./support.ts";

export type InsiderReport = { scenarios: number; treeSize: number; seconds: Record<string, number> };

const honest: Scenario = {
  id: "honest",
  title: "An honest log",
  did: "nothing: events come in, checkpoints are signed every 2 s and cosigned by the witness",
  async run(w) {
    const n = await covered(w, (await ingest(w, w.size)).at(-1)!.seq);
    w.say(`  ${n} entries, cosigned by ${w.witness.name}`);
    expectMonitor(w, "honest log", 0, /^OK: tree size/);
  },
};

/** d. The tail: acknowledged, not yet under a checkpoint; the insider changes one and recomputes its leaf. */
const tail: Scenario = {
  id: "d",
  title: "Change of the unsigned tail",
  did: "kills the server right after it acknowledged 5 entries (before the next checkpoint), changes the action of the 3rd and recomputes its leaf hash, restarts: the server signs over the changed entry",
  async run(w) {
    let receipts: Array<{ seq: number; leafHash: string }> = [];
    for (let attempt = 1; ; attempt++) {
      receipts = await ingest(w, 5, "tail");
      await killServer(w.server!); // SIGKILL: a SIGTERM would sign the tail first
      const db = openDb(w);
      const top = (db.prepare("SELECT max(tree_size) AS s FROM checkpoints").get() as { s: number }).s;
      db.close();
      if (top < receipts[0]!.seq) break;
      if (attempt === 3) throw new Error("the tail was signed before every kill: cannot stage the scenario");
      w.server = await startServer(w.store, serverEnv(w));
    }
    const target = receipts[2]!;
    const db = openDb(w);
    withoutGuards(db, () => {
      const row = db.prepare("SELECT * FROM entries WHERE seq = ?").get(target.seq) as EntryRow;
      const changed = { ...row, action: "export-all-cardholder-data" } as EntryRow;
      const leaf = hashLeaf(utf8(canonicalEntryFromRow(changed)));
      db.prepare("UPDATE entries SET action = ?, leaf_hash = ? WHERE seq = ?").run(
        changed.action,
        Buffer.from(leaf),
        target.seq,
      );
    });
    db.close();
    w.server = await startServer(w.store, serverEnv(w));
    await covered(w, receipts.at(-1)!.seq);
    const trust = { logKey: w.logKey.vkey, witnesses: [w.witness.vkey], quorum: 1 };
    const results = await Promise.all(receipts.map((r) => verifyReceipt(w.server!.url, r, trust)));
    const bad = results.filter((r) => !r.ok);
    const reason = bad[0] && !bad[0].ok ? bad[0].reason : "";
    w.checks.check(
      "insider: d. the sender's receipt fails and names the changed entry (the others verify)",
      bad.length === 1 &&
        bad[0]!.seq === target.seq &&
        reason.includes(`entry ${target.seq} was changed after it was acknowledged`),
      JSON.stringify(results.map((r) => [r.seq, r.ok, r.ok ? "" : r.reason])),
    );
    w.say(`  sender's verifyReceipt for seq ${target.seq}: ${reason}`);
    expectMonitor(w, "d. changed tail (self-consistent under the new checkpoint)", 0, /^OK/);
  },
};

/** e. The key file replaced by a key of the insider's. */
const swappedKey: Scenario = {
  id: "e",
  title: "Swapped key file",
  did: "stops the server, replaces <data dir>/signing-key with a key of their own, starts it",
  async run(w) {
    await stopServer(w.server!);
    w.server = null;
    const original = fs.readFileSync(keyFile(w), "utf8");
    fs.writeFileSync(keyFile(w), `${signerKeyString(ORIGIN, generateSigningKey(ORIGIN).seed)}\n`, { mode: 0o600 });
    let said = "";
    try {
      w.server = await startServer(w.store, serverEnv(w));
    } catch (e) {
      said = /signing key .*refuses to start\./.exec((e as Error).message)?.[0] ?? (e as Error).message.slice(0, 600);
    }
    w.checks.check(
      "insider: e. swapped key file: the server refuses to start and says why",
      !w.server && /is not the key of the latest checkpoint .* so Ledgerline refuses to start/.test(said),
      said,
    );
    w.say(`  server: ${said}`);
    if (w.server) await stopServer(w.server);
    fs.writeFileSync(keyFile(w), original, { mode: 0o600 });
    w.server = await startServer(w.store, serverEnv(w));
  },
};

/** Puts `vkey`'s public half (and string) in every signing_keys row; returns how to put the rows back. */
function forgeKeyRows(w: World, vkey: string, publicKey: Uint8Array): { guard: string; restore(): void } {
  const db = openDb(w);
  const update = () =>
    db.prepare("UPDATE signing_keys SET public_key = ?, verifier_key = ?").run(Buffer.from(publicKey), vkey);
  let guard = "";
  try {
    update();
  } catch (e) {
    guard = (e as Error).message;
  }
  const before = db.prepare("SELECT key_id, public_key, verifier_key FROM signing_keys").all() as Array<{
    key_id: string;
    public_key: Buffer;
    verifier_key: string;
  }>;
  withoutGuards(db, update);
  db.close();
  return {
    guard,
    restore() {
      const db2 = openDb(w);
      const put = db2.prepare("UPDATE signing_keys SET public_key = ?, verifier_key = ? WHERE key_id = ?");
      withoutGuards(db2, () => before.forEach((r) => put.run(r.public_key, r.verifier_key, r.key_id)));
      db2.close();
    },
  };
}

/** Starts the server on the forged store: does it start, and which key does it publish? */
async function publishedKeysAfterForgery(w: World): Promise<string> {
  let server;
  try {
    server = await startServer(w.store, serverEnv(w));
  } catch (e) {
    return `(the server refused to start: ${(e as Error).message.split("\n").at(-1)})`;
  }
  try {
    const j = (await (await fetchFresh(`${server.url}/api/v1/keys`)).json()) as unknown;
    const keys = (Array.isArray(j) ? j : ((j as { keys?: unknown[] }).keys ?? [])) as Array<{
      verifierKey: string;
      status: string;
    }>;
    return `${keys.map((k) => `${k.verifierKey.split("+").slice(0, 2).join("+")} (${k.status})`).join(", ")}; the server started`;
  } finally {
    await stopServer(server);
  }
}

/** f. The key's public half in signing_keys replaced by the insider's. */
const forgedRow: Scenario = {
  id: "f",
  title: "Forged signing_keys row",
  did: "rewrites the current key's row in signing_keys (public key and verifier key) to a key of their own",
  async run(w) {
    await stopServer(w.server!);
    w.server = null;
    const k = generateSigningKey(ORIGIN);
    const vkey = verifierKeyString(ORIGIN, k.publicKey);
    const forged = forgeKeyRows(w, vkey, k.publicKey);
    w.checks.check(
      "insider: f. forged signing_keys row: refused by the guard",
      /append-only/.test(forged.guard),
      forged.guard || "UPDATE went through",
    );
    w.say(`  database, guard in place: ${forged.guard}`);
    w.say("  … the insider drops the guard, forges the row and puts the guard back");
    // The server's own verifier (what the integrity center runs), on the forged store.
    const r = runCli(w.store, ["integrity", "run", "--full"], undefined, serverEnv(w));
    const said = `${r.stdout}${r.stderr}`.split("\n").find((l) => /^(OK|FAILED)/.test(l)) ?? r.stdout.slice(0, 300);
    // The integrity center trusts pinned keys (LEDGERLINE_LOG_KEYS, else the first key this store
    // recorded, plus rotation chains — integrity/pinned-keys.ts), never the row as it is today: the
    // forged row's key is not chained from the pin, or, when it replaced the first row itself, the
    // checkpoints the real key signed no longer verify under it. Either way the pass fails.
    w.checks.check(
      "insider: f. forged signing_keys row: the integrity center's full pass fails",
      r.status !== 0 && /^FAILED/.test(said),
      `exit ${r.status}: ${said}`,
    );
    w.say(`  ledgerline integrity run --full (exit ${r.status}): ${said}`);
    const keys = await publishedKeysAfterForgery(w);
    w.say(
      `  GET /api/v1/keys now lists: ${keys} — the integrity page names the failure; /verify shows a bundle signed by it in red`,
    );
    forged.restore();
    forgetVerifierState(w); // the failed pass is remembered; the honest store is back
    w.server = await startServer(w.store, serverEnv(w));
  },
};

const SCENARIOS: Scenario[] = [honest, tail, swappedKey, forgedRow, ...REWRITES];

/** Runs every scenario in order on one store; a scenario that throws fails one check and ends the run. */
export async function runInsider(
  checks: Checks,
  store: Store,
  opts: { quick: boolean; say?: (line: string) => void; only?: string[] },
): Promise<InsiderReport> {
  const say = opts.say ?? (() => undefined);
  let w: World | null = null;
  const seconds: Record<string, number> = {};
  try {
    w = await setUp(store, checks, say, opts.quick ? 300 : 2000);
    for (const s of SCENARIOS) {
      if (opts.only && !opts.only.includes(s.id)) continue;
      say(`\n${s.id === "honest" ? "" : `${s.id}. `}${s.title}\n  the insider: ${s.did}`);
      const t0 = Date.now();
      await s.run(w);
      seconds[s.id] = Math.round((Date.now() - t0) / 1000);
    }
    const db = openDb(w);
    const size = (db.prepare("SELECT count(*) AS n FROM entries").get() as { n: number }).n;
    db.close();
    return { scenarios: Object.keys(seconds).length, treeSize: size, seconds };
  } finally {
    await tearDown(w);
  }
}
