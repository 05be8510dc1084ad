// The insider scenarios that rewrite published history (c, b, a of test/stress/insider.ts),
// in this order on one store: each starts from the log the previous one left. The monitor
// keeps its state throughout: after a problem it does not advance, so it still remembers the
// last honest tree (that is what lets it see the next rewrite too).
import fs from "node:fs";
import { generateSigningKey, signerKeyString, verifierKeyString } from "@/lib/core/index.ts";
import {
  ORIGIN,
  covered,
  expectAlert,
  expectMonitor,
  forgetVerifierState,
  ingest,
  keyFile,
  monitorSeen,
  offline,
  served,
  truncateTo,
  withoutGuards,
  type Scenario,
  type World,
} from "./insider-world.ts";
import { sleep } from "./support.ts";

/** Waits (≤ 60 s) for a checkpoint signed by `vkey` larger than `size` (the witness no longer cosigns it). */
async function signedBeyond(w: World, size: number, vkey = w.logKey.vkey): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const cp = await served(w, vkey).catch(() => ({ size: -1 }));
    if (cp.size > size) return cp.size;
    await sleep(200);
  }
  throw new Error(`no checkpoint beyond ${size} signed by ${vkey.split("+")[0]} within 60 s`);
}

function witnessSaid(w: World, re: RegExp): string {
  return w.witness.out.filter((l) => re.test(l)).at(-1) ?? "";
}

const rollback: Scenario = {
  id: "c",
  title: "Rollback of published checkpoints",
  did: "deletes the newest 100 entries together with their published checkpoints and cosignatures, and the server's verifier state",
  async run(w) {
    const s1 = (await served(w)).size;
    const s2 = await covered(w, (await ingest(w, 100, "doomed")).at(-1)!.seq);
    expectMonitor(w, "c. before the rollback", 0, /^OK/);
    await offline(w, (db) => {
      withoutGuards(db, () => truncateTo(db, s1));
      forgetVerifierState(w);
    });
    w.say(`  (the log went back from ${s2} to ${s1} entries; 3 new events follow)`);
    await ingest(w, 3, "after-rollback");
    await expectAlert(w, "c. rollback", "/server", w.logKey.vkey, (b) => b.kind === "rollback");
    const said = witnessSaid(w, /refused \(409/);
    w.checks.check(
      "insider: c. the witness refuses the smaller tree (409)",
      said !== "",
      w.witness.out.slice(-5).join("\n"),
    );
    w.say(`  witness: ${said.replace(/^\S+ /, "")}`);
    expectMonitor(
      w,
      "c. rollback",
      12,
      /^rollback: the log now serves a checkpoint of size \d+, but this monitor verified size/,
    );
    await expectAlert(w, "c. rollback", "/monitor", w.monitorKey.vkey, (b) => b.kind === "rollback");
  },
};

const rewriteRealKey: Scenario = {
  id: "b",
  title: "Rewrite with the real key, verifier state deleted",
  did: "deletes everything after the first checkpoint (entries, subtree hashes, checkpoints, cosignatures) and the verifier state, restarts, and feeds a different history through the API: the server re-signs it with the real key",
  async run(w) {
    const remembered = monitorSeen(w); // the honest tree the monitor (and the witness) hold
    // The rewritten history arrives in one request and is signed once it is larger than the
    // witness's tree (not at every interval): the witness sees one checkpoint, the fork.
    const quiet = { LEDGERLINE_CHECKPOINT_INTERVAL: "3600", LEDGERLINE_CHECKPOINT_EVERY: String(remembered + 20) };
    await offline(
      w,
      (db) => {
        // Back to the first checkpoint (its cosignature kept): the server has nothing smaller to sign.
        const first = db.prepare("SELECT min(tree_size) AS s FROM checkpoints").get() as { s: number };
        withoutGuards(db, () => truncateTo(db, first.s));
        forgetVerifierState(w);
      },
      quiet,
    );
    const size = await signedBeyond(w, (await ingest(w, remembered + 50, "rewritten", 10_000)).at(-1)!.seq - 1);
    w.say(`  (the server signed the rewritten log at size ${size} with its real key)`);
    await expectAlert(w, "b. rewrite, real key", "/server", w.logKey.vkey, (b) => b.kind === "fork");
    const said = witnessSaid(w, /refused \((409 fork|422 bad-proof)/);
    w.checks.check(
      "insider: b. the witness refuses the rewritten tree as a fork",
      said !== "",
      w.witness.out.slice(-5).join("\n"),
    );
    w.say(`  witness: ${said.replace(/^\S+ /, "")}`);
    expectMonitor(
      w,
      "b. rewrite, real key",
      13,
      /^fork: the checkpoint of size \d+ is not consistent with the one of size/,
    );
    await expectAlert(w, "b. rewrite, real key", "/monitor", w.monitorKey.vkey, (b) => b.kind === "fork");
  },
};

const rewriteNewKey: Scenario = {
  id: "a",
  title: "Re-signed rewrite with a new key",
  did: "drops the guards, empties entries, subtree hashes, checkpoints, cosignatures, key rotations and signing_keys, puts a key of their own in the key file and the verifier state away, and lets the server rebuild and re-sign a changed history: the new key is the only row",
  async run(w) {
    const k = generateSigningKey(ORIGIN);
    const vkey = verifierKeyString(ORIGIN, k.publicKey);
    await offline(w, (db) => {
      withoutGuards(db, () => {
        for (const t of ["cosignatures", "checkpoints", "merkle_nodes", "entries", "key_rotations", "signing_keys"])
          db.exec(`DELETE FROM ${t}`);
      });
      forgetVerifierState(w);
      fs.writeFileSync(keyFile(w), `${signerKeyString(ORIGIN, k.seed)}\n`, { mode: 0o600 });
    });
    const size = await signedBeyond(
      w,
      (await ingest(w, monitorSeen(w) + 50, "resigned", 10_000)).at(-1)!.seq - 1,
      vkey,
    );
    w.say(`  (the server signed the rebuilt log at size ${size} with the insider's key ${vkey.split("+")[1]})`);
    await expectAlert(w, "a. new key", "/server", vkey, (b) => b.kind === "refused");
    const said = witnessSaid(w, /refused \(403/);
    w.checks.check(
      "insider: a. the witness refuses checkpoints by a key it does not know (403)",
      said !== "",
      w.witness.out.slice(-5).join("\n"),
    );
    w.say(`  witness: ${said.replace(/^\S+ /, "")}`);
    expectMonitor(
      w,
      "a. new key",
      18,
      /^key-changed: key changed without a rotation statement: .*; besides, the checkpoint of size \d+ is not consistent with the one of size/,
    );
    await expectAlert(w, "a. new key", "/monitor", w.monitorKey.vkey, (b) => b.kind === "key-changed");
  },
};

export const REWRITES: Scenario[] = [rollback, rewriteRealKey, rewriteNewKey];
