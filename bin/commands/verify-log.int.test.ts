import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { toHex } from "@/lib/core/index.ts";
import { cosignCheckpoint, cosignerKeyId, cosignerVerifierKey, generateCosignerKey } from "@/lib/core/tlog/index.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { openLedger } from "@/lib/server/ledger/ledger.ts";
import { insertCosignature } from "@/lib/server/ledger/store/cosignatures.ts";
import { DIALECTS, event, freshStore, type TestStore } from "@/test/support/stores.ts";

// verify-log never trusts the keys of the store it checks: a pin from outside (--key, a trust
// file, a witness quorum) or the verdict is "consistent, but unpinned" (exit 3). The
// cosignatures below are real Ed25519 cosignatures by a witness key made here, stored as the
// server stores what a witness returns.

const bin = path.resolve(import.meta.dirname, "../ledgerline.mjs");
const cli = (store: TestStore, args: string[]) => {
  const r = spawnSync(process.execPath, [bin, "verify-log", ...args], {
    env: { ...process.env, ...store.env, NODE_OPTIONS: "" },
    encoding: "utf8",
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe.each(DIALECTS)("verify-log pins on %s", (dialect) => {
  let store: TestStore;
  afterEach(async () => store.cleanup());

  it("trust file, policy file and --witness quorum pin; without a pin exit 3; a witness that never cosigned exit 4", async () => {
    store = await freshStore(dialect, { LEDGERLINE_CHECKPOINT_EVERY: "1000000" });
    const ledger = await openLedger(store.config);
    const witness = generateCosignerKey("witness.example/w1");
    const wkey = cosignerVerifierKey(witness.name, witness.publicKey);
    const stranger = cosignerVerifierKey("witness.example/w2", generateCosignerKey("witness.example/w2").publicKey);
    let logKey: string;
    try {
      const evs = Array.from({ length: 12 }, () => {
        const r = validateEvent(event());
        if (!r.ok) throw new Error("fixture");
        return r.event;
      });
      await ledger.sequencer.append("spiffe://t/a", evs);
      const cp = (await ledger.sequencer.checkpoint())!;
      logKey = (await ledger.signingKey()).verifierKey;
      const text = cp.note.slice(0, cp.note.indexOf("\n\n") + 1);
      const line = cosignCheckpoint(text, witness, Math.floor(Date.now() / 1000)).trimEnd();
      await insertCosignature(ledger.db, {
        tree_size: cp.treeSize,
        witness: witness.name,
        key_id: toHex(cosignerKeyId(witness.name, witness.publicKey)),
        cosigned_at: Math.floor(Date.now() / 1000),
        line,
        received_at: new Date().toISOString(),
      });
    } finally {
      await ledger.close();
    }

    const unpinned = cli(store, ["--json"]);
    expect(unpinned.code).toBe(3);
    expect(JSON.parse(unpinned.out)).toMatchObject({ ok: true, verdict: "unpinned" });

    const keysFile = path.join(store.config.dataDir, "auditor-keys.txt");
    fs.writeFileSync(keysFile, `# published in ticket AUD-1\n${logKey}\n`);
    const byFile = cli(store, ["--trust-file", keysFile]);
    expect(byFile.code, byFile.out + byFile.err).toBe(0);
    expect(byFile.out).toContain(`listed in ${keysFile}`);

    const policyFile = path.join(store.config.dataDir, "policy.txt");
    fs.writeFileSync(policyFile, `log ${logKey}\nwitness w1 ${wkey}\nquorum w1\n`);
    const byPolicy = JSON.parse(cli(store, ["--json", "--trust-file", policyFile]).out);
    expect(byPolicy).toMatchObject({ verdict: "verified", witnessQuorum: { treeSize: 12, witnesses: ["w1"] } });

    // Witnesses alone pin the log: the store's keys are used, but a checkpoint the pinned
    // quorum cosigned anchors what they verified.
    const byWitness = cli(store, ["--witness", wkey, "--quorum", "1"]);
    expect(byWitness.code, byWitness.out).toBe(0);
    expect(byWitness.out).toMatch(/witness quorum: checkpoint 12 cosigned by w1/);

    const noQuorum = cli(store, ["--json", "--witness", wkey, "--witness", stranger, "--quorum", "2"]);
    expect(noQuorum.code).toBe(4);
    expect(JSON.parse(noQuorum.out)).toMatchObject({ ok: false, verdict: "no-quorum" });

    expect(cli(store, ["--quorum", "1"]).code).toBe(2);
    expect(cli(store, ["--trust-file", path.join(store.config.dataDir, "missing")]).code).toBe(2);
  });
});
