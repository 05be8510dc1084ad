import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  checkKeyRotation,
  formatCheckpoint,
  generateSigningKey,
  openNote,
  parseSignerKey,
  signNote,
} from "@/lib/core/index.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshStore, type TestStore } from "@/test/support/stores.ts";
import { publishedKeys } from "../transparency/proofs.ts";
import { openLedger } from "./ledger.ts";
import { keysValidAt, signingKeyFile, validityProblem } from "./signing.ts";

// Key lifecycle: `ledgerline signing-key rotate` (the real CLI) on a store a
// "running server" (a second ledger instance) keeps using; old checkpoints stay
// verifiable, new ones carry the new key, and a retired key cannot sign again.

const bin = path.resolve(import.meta.dirname, "../../../bin/ledgerline.mjs");
const ORIGIN = "test.example/rotate";

function cli(store: TestStore, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { ...process.env, ...store.env, NODE_OPTIONS: "", ...env },
    encoding: "utf8",
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const evs = (n: number) =>
  Array.from({ length: n }, () => {
    const r = validateEvent(event());
    if (!r.ok) throw new Error("fixture");
    return r.event;
  });

describe("keysValidAt", () => {
  const k = (createdAt: string | null, retiredAt: string | null) => ({
    name: "k",
    publicKey: new Uint8Array(32),
    createdAt,
    retiredAt,
  });
  it("accepts created_at ≤ t ≤ retired_at with a few seconds of skew, undated keys always", () => {
    const a = k("2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z");
    const b = k("2026-02-01T00:00:00.000Z", null);
    const pinned = { name: "p", publicKey: new Uint8Array(32) };
    expect(keysValidAt([a, b, pinned], "2026-01-15T00:00:00.000Z")).toEqual([a, pinned]);
    expect(keysValidAt([a, b], "2026-02-01T00:00:03.000Z")).toEqual([a, b]);
    expect(keysValidAt([a, b], "2026-02-01T00:00:30.000Z")).toEqual([b]);
    expect(keysValidAt([a, b], "2025-12-31T23:59:58.000Z")).toEqual([a]);
    expect(keysValidAt([a, b], "2025-12-31T23:00:00.000Z")).toEqual([]);
    expect(keysValidAt([a, pinned], "not a date")).toEqual([pinned]);
  });
});

describe.each(DIALECTS)("signing key rotation on %s", (dialect) => {
  let store: TestStore;
  afterEach(async () => store.cleanup());

  it("rotate: final checkpoint by the old key, new checkpoints by the new key (also in an already running instance), old ones still verify", async () => {
    store = await freshStore(dialect, { LEDGERLINE_ORIGIN: ORIGIN, LEDGERLINE_CHECKPOINT_EVERY: "1000000" });
    const server = await openLedger(store.config); // the running server
    try {
      await server.sequencer.append("spiffe://t/a", evs(30));
      const cp1 = (await server.sequencer.checkpoint())!;
      const oldKey = await server.signingKey();
      expect(cp1.keyId).toBe(oldKey.keyIdHex);
      await server.sequencer.append("spiffe://t/a", evs(12)); // grown since the last checkpoint

      const r = cli(store, ["signing-key", "rotate", "--json"]);
      expect(r.code, r.err).toBe(0);
      const rot = JSON.parse(r.out);
      // The statement is entry 43 (signed by both keys); the old key's final checkpoint covers it.
      expect(rot.statementSeq).toBe(43);
      expect(rot.finalCheckpoint).toEqual({ treeSize: 43, keyId: oldKey.keyIdHex });
      expect(checkKeyRotation(rot.statement, ORIGIN)).toMatchObject({
        ok: true,
        rotation: { oldKey: oldKey.verifierKey, newKey: rot.current.verifierKey, treeSize: 42 },
      });
      const logged = await server.db.get<{ attributes: string }>("SELECT attributes FROM entries WHERE seq = 43");
      expect(JSON.parse(logged!.attributes)).toEqual({ statement: rot.statement });
      // Retirement is an appended row: signing_keys itself refuses UPDATE and DELETE now.
      await expect(server.db.run("UPDATE signing_keys SET retired_at = NULL")).rejects.toThrow(/append-only/);
      await expect(server.db.run("DELETE FROM key_rotations")).rejects.toThrow(/append-only/);
      expect(rot.retired.keyId).toBe(oldKey.keyIdHex);
      expect(rot.current.keyId).not.toBe(oldKey.keyIdHex);
      expect(rot.current.verifierKey.split("+")[0]).toBe(oldKey.name);

      // Files: the new key in signing-key, the old one kept, both 0600.
      const keyFile = signingKeyFile(store.config.dataDir);
      const retiredFile = path.join(store.config.dataDir, "retired-keys", `${oldKey.keyIdHex}.key`);
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(fs.statSync(retiredFile).mode & 0o777).toBe(0o600);
      expect(parseSignerKey(fs.readFileSync(retiredFile, "utf8").trim()).publicKey).toEqual(oldKey.publicKey);
      expect(fs.readFileSync(keyFile, "utf8")).toContain(`+${rot.current.keyId}+`);

      // The running instance, never restarted, signs the next checkpoint with the new key.
      await server.sequencer.append("spiffe://t/a", evs(8));
      const cp3 = (await server.sequencer.checkpoint())!;
      expect(cp3.treeSize).toBe(51);
      expect(cp3.keyId).toBe(rot.current.keyId);
      expect((await server.signingKey()).keyIdHex).toBe(rot.current.keyId);
      const cps = await server.db.all<{ tree_size: number; key_id: string }>(
        "SELECT tree_size, key_id FROM checkpoints ORDER BY tree_size",
      );
      expect(cps.map((c) => [Number(c.tree_size), c.key_id])).toEqual([
        [30, oldKey.keyIdHex],
        [43, oldKey.keyIdHex],
        [51, rot.current.keyId],
      ]);

      // GET /api/v1/keys: the retired key with its retiredAt, the new one current.
      const keys = await publishedKeys(server);
      expect(keys.map((k) => [k.keyId, k.status, k.retiredAt])).toEqual([
        [oldKey.keyIdHex, "retired", rot.retired.retiredAt],
        [rot.current.keyId, "current", null],
      ]);

      // verify-log (real CLI) pinned to the OLD key only: it follows the statement to the new
      // key, and every checkpoint, old and new, verifies.
      const v = cli(store, ["verify-log", "--json", "--key", oldKey.verifierKey]);
      expect(v.code, v.out + v.err).toBe(0);
      expect(JSON.parse(v.out)).toMatchObject({
        ok: true,
        verdict: "verified",
        treeSize: 51,
        checkpoints: 3,
        trusted: [
          expect.stringMatching(/pinned with --key/),
          expect.stringMatching(/rotation statement at tree size 42/),
        ],
      });

      // Rotating twice works the same way, and the retired key cannot come back.
      const r2 = JSON.parse(cli(store, ["signing-key", "rotate", "--json"]).out);
      expect(r2.finalCheckpoint).toMatchObject({ keyId: rot.current.keyId }); // covers the second statement
      expect(r2.retired.keyId).toBe(rot.current.keyId);
      fs.copyFileSync(retiredFile, keyFile);
      await expect(server.signingKey()).rejects.toThrow(/was retired at/);
    } finally {
      await server.close();
    }
  });

  it("a checkpoint created after its key's retirement fails verification, even though the signature is valid", async () => {
    store = await freshStore(dialect, { LEDGERLINE_ORIGIN: ORIGIN, LEDGERLINE_CHECKPOINT_EVERY: "1000000" });
    const ledger = await openLedger(store.config);
    let oldSeed: Uint8Array;
    let oldName: string;
    try {
      await ledger.sequencer.append("spiffe://t/a", evs(10));
      await ledger.sequencer.checkpoint();
      const k = await ledger.signingKey();
      oldSeed = k.seed;
      oldName = k.name;
      expect(cli(store, ["signing-key", "rotate"]).code).toBe(0);
      await ledger.sequencer.append("spiffe://t/a", evs(5));
      const cp = (await ledger.sequencer.checkpoint())!;
      expect(cp.keyId).not.toBe(k.keyIdHex);
      // Someone holding the retired key signs the current tree (a valid signature) an hour after retirement.
      const ret = (await publishedKeys(ledger)).map((x) => ({ retired_at: x.retiredAt! }))[0];
      const late = new Date(Date.parse(ret!.retired_at) + 3600_000).toISOString();
      await ledger.sequencer.append("spiffe://t/a", evs(1));
      const { loadCompactRange } = await import("./tree.ts");
      const root = (await loadCompactRange(ledger.db, 17)).root();
      const note = signNote(formatCheckpoint({ origin: ORIGIN, size: 17, rootHash: root }), [
        { name: oldName, seed: oldSeed },
      ]);
      expect(openNote(note, [{ name: oldName, publicKey: k.publicKey }]).ok).toBe(true);
      await ledger.db.run(
        "INSERT INTO checkpoints (tree_size, root_hash, note, key_id, created_at) VALUES (?, ?, ?, ?, ?)",
        [17, root, note, k.keyIdHex, late],
      );
      const dated = [
        { name: oldName, publicKey: k.publicKey, createdAt: "2000-01-01T00:00:00.000Z", retiredAt: ret!.retired_at },
      ];
      expect(validityProblem(dated, note, late)).toMatch(/outside its validity period/);
    } finally {
      await ledger.close();
    }
    const v = cli(store, ["verify-log", "--json"]);
    expect(v.code).toBe(1);
    expect(JSON.parse(v.out)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/checkpoint 17: signed by key .* outside its validity period/),
    });
    // The same checkpoint with its key pinned by hand (no validity known) verifies: the period is what rejects it.
    const pinned = cli(store, [
      "verify-log",
      "--json",
      "--key",
      JSON.parse(cli(store, ["signing-key", "show", "--json"]).out).verifierKey,
    ]);
    expect(JSON.parse(pinned.out).reason ?? "").not.toMatch(/validity/);
  });

  it("an env key: rotate signs the statement and prints the new key; a server started with it takes over, an unchained key is refused", async () => {
    const k1 = generateSigningKey("rot.example");
    const k2 = generateSigningKey("rot.example");
    const k3 = generateSigningKey("rot.example");
    const { signerKeyString } = await import("@/lib/core/index.ts");
    store = await freshStore(dialect, {
      LEDGERLINE_ORIGIN: ORIGIN,
      LEDGERLINE_SIGNING_KEY: signerKeyString(k1.name, k1.seed),
    });
    const a = await openLedger(store.config);
    await a.sequencer.append("spiffe://t/a", evs(3));
    await a.sequencer.checkpoint();
    const { loadConfig } = await import("../config.ts");
    // A new env key without a rotation statement: refused, naming the key to put back.
    await expect(
      openLedger(loadConfig({ ...store.env, LEDGERLINE_SIGNING_KEY: signerKeyString(k3.name, k3.seed) })).then((l) =>
        l.signingKey().finally(() => l.close()),
      ),
    ).rejects.toThrow(/no rotation statement signed by that key names it.*Put back the key/s);

    const r = cli(store, ["signing-key", "rotate", "--json", "--new-key", signerKeyString(k2.name, k2.seed)]);
    expect(r.code, r.err).toBe(0);
    const rot = JSON.parse(r.out);
    expect(rot.signerKey).toBe(signerKeyString(k2.name, k2.seed));
    expect(rot.finalCheckpoint).toMatchObject({ treeSize: 4 });
    expect(fs.existsSync(signingKeyFile(store.config.dataDir))).toBe(false);

    const b = await openLedger(loadConfig({ ...store.env, LEDGERLINE_SIGNING_KEY: signerKeyString(k2.name, k2.seed) }));
    try {
      await b.sequencer.append("spiffe://t/a", evs(2));
      const cp = (await b.sequencer.checkpoint())!;
      expect(cp.keyId).toBe((await b.signingKey()).keyIdHex);
      const keys = await publishedKeys(b);
      expect(keys.map((k) => k.status)).toEqual(["retired", "current"]);
      expect(keys[0]!.retiredAt).toBeTruthy();
      // The old instance, still running with the retired env key, refuses to sign.
      await a.sequencer.append("spiffe://t/a", evs(2));
      expect(await a.sequencer.checkpoint()).toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
    const v = cli(store, ["verify-log", "--json"], { LEDGERLINE_SIGNING_KEY: signerKeyString(k2.name, k2.seed) });
    expect(JSON.parse(v.out)).toMatchObject({ ok: true, checkpoints: 3 });
  });

  it("a swapped key file is refused at start; a forged signing_keys row does not help", async () => {
    store = await freshStore(dialect, { LEDGERLINE_ORIGIN: ORIGIN, LEDGERLINE_CHECKPOINT_EVERY: "1000000" });
    const first = await openLedger(store.config);
    let original: string;
    try {
      await first.sequencer.append("spiffe://t/a", evs(4));
      await first.sequencer.checkpoint();
      original = fs.readFileSync(signingKeyFile(store.config.dataDir), "utf8");
    } finally {
      await first.close();
    }
    const { signerKeyString, verifierKeyString, keyId, toHex } = await import("@/lib/core/index.ts");
    const swapped = generateSigningKey((await import("../config.ts")).loadConfig(store.env).keyName);
    fs.writeFileSync(signingKeyFile(store.config.dataDir), signerKeyString(swapped.name, swapped.seed) + "\n");
    // The insider also registers the new key by hand (INSERT is what the guard allows).
    const attackerDb = await openLedger(store.config);
    await attackerDb.db.run(
      "INSERT INTO signing_keys (key_id, name, public_key, verifier_key, created_at) VALUES (?, ?, ?, ?, ?)",
      [
        toHex(keyId(swapped.name, swapped.publicKey)),
        swapped.name,
        swapped.publicKey,
        verifierKeyString(swapped.name, swapped.publicKey),
        new Date().toISOString(),
      ],
    );
    await attackerDb.close();
    const start = cli(store, ["signing-key", "show"]);
    expect(start.code).toBe(1);
    expect(start.err).toMatch(/is not the key of the latest checkpoint \(tree size 4, key .*Put back the key/s);
    fs.writeFileSync(signingKeyFile(store.config.dataDir), original!);
    expect(cli(store, ["signing-key", "show"]).code).toBe(0);
  });
});
