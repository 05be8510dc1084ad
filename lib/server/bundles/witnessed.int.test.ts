import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generateSigningKey,
  openNote,
  parseCheckpoint,
  signerKeyString,
  splitNote,
  verifierKeyString,
} from "@/lib/core/index.ts";
import { cosignCheckpoint, generateCosignerKey } from "@/lib/core/tlog/index.ts";
import { readZip } from "@/lib/core/zip/read.ts";
import { verifyBundle } from "@/lib/core/bundle/verify.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { freePort } from "@/test/support/free-port.ts";
import { DIALECTS, event, freshStore, openRuntime } from "@/test/support/stores.ts";
import { killWitness, startWitness, witnessKey, type WitnessProcess } from "@/test/support/witness-process.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { latestCheckpointRow } from "../ledger/store/checkpoints.ts";
import { insertCosignature } from "../ledger/store/cosignatures.ts";
import { buildBundle } from "./build.ts";
import { readBundleWitnesses } from "./witnessed.ts";

// Bundles carry their checkpoint's witness cosignatures (issue 14), with real witness processes
// (`ledgerline witness serve`) and the real `ledgerline verify-bundle`: 0, 1 and a quorum of
// cosignatures; a forged line an insider stored; a witness the verifier did not pin; no pin at
// all (exit 3); and the checkpoint still a plain C2SP checkpoint for an old verifier.

const root = path.resolve(import.meta.dirname, "../../..");
const bin = path.join(root, "bin/ledgerline.mjs");

const cli = (args: string[]) =>
  spawnSync(process.execPath, [bin, "verify-bundle", ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });

function events(n: number) {
  return Array.from({ length: n }, () => {
    const r = validateEvent(event());
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.event;
  });
}

type Ctx = {
  dialect: string;
  origin: string;
  log: ReturnType<typeof generateSigningKey>;
  logVkey: string;
  keys: Array<ReturnType<typeof witnessKey>>;
  running: WitnessProcess[];
  rt: Runtime;
};

/** Two real witnesses (alpha, beta) and one configured but unreachable (gamma), quorum 2, on a fresh store. */
function useWitnessedRuntime(dialect: string): Ctx {
  const origin = `bundle-witness.test/${dialect}`;
  const log = generateSigningKey(origin, new Uint8Array(32).fill(11));
  const ctx = {
    dialect,
    origin,
    log,
    logVkey: verifierKeyString(log.name, log.publicKey),
    keys: ["alpha", "beta", "gamma"].map((n) => witnessKey(`${n}.${dialect}.test`)),
    running: [] as WitnessProcess[],
  } as Ctx;
  let cleanup = async () => {};
  beforeAll(async () => {
    for (const k of ctx.keys.slice(0, 2)) ctx.running.push(await startWitness(k, ctx.logVkey));
    const gammaUrl = `http://127.0.0.1:${await freePort()}`; // nobody listens there
    const store = await freshStore(dialect as "sqlite", {
      LEDGERLINE_ORIGIN: origin,
      LEDGERLINE_SIGNING_KEY: signerKeyString(log.name, log.seed),
      LEDGERLINE_WITNESSES: [...ctx.running.map((w) => `${w.vkey}@${w.url}`), `${ctx.keys[2]!.vkey}@${gammaUrl}`].join(
        ",",
      ),
      LEDGERLINE_WITNESS_QUORUM: "2",
      LEDGERLINE_WITNESS_TIMEOUT: "1",
    });
    ctx.rt = await openRuntime(store.config);
    cleanup = async () => {
      await ctx.rt.close();
      await store.cleanup();
    };
  }, 120_000);
  afterAll(async () => {
    for (const w of ctx.running) await killWitness(w);
    await cleanup();
    for (const k of ctx.keys) fs.rmSync(k.dir, { recursive: true, force: true });
  });
  return ctx;
}

async function grow(ctx: Ctx, n: number) {
  const r = await ctx.rt.sequencer.append("spiffe://test/bundle-witness", events(n));
  if (!r.ok) throw new Error("append conflicted");
  await ctx.rt.sequencer.checkpoint();
  await ctx.rt.cosigner.settle();
}

async function bundle(ctx: Ctx) {
  const id = randomUUID();
  const built = await buildBundle(ctx.rt, { id, createdAt: new Date().toISOString(), createdBy: "t@x", filter: {} });
  const files = readZip(new Uint8Array(fs.readFileSync(built.file)));
  if (!files.ok) throw new Error(files.reason);
  const note = new TextDecoder().decode(files.files.get("checkpoint.txt")!);
  return { file: built.file, note, witnesses: readBundleWitnesses(built.file) };
}

const pinAll = (ctx: Ctx, quorum: string) => [
  ...ctx.keys.slice(0, 3).flatMap((k) => ["--witness", k.vkey]),
  "--quorum",
  quorum,
];

async function noCosignatureYet(ctx: Ctx) {
  await grow(ctx, 5); // the cosigner is not started: nobody is asked
  const b = await bundle(ctx);
  expect(splitNote(b.note)).toMatchObject({ ok: true, signatures: [{ name: ctx.origin }] });
  expect(b.witnesses).toMatchObject({ quorum: "2 of 3 (ledgerline-quorum)", quorumMet: false });
  expect(b.witnesses!.list.map((w) => w.cosigned)).toEqual([false, false, false]);
  const unpinned = cli([b.file]);
  expect(unpinned.status, unpinned.stdout + unpinned.stderr).toBe(3);
  expect(unpinned.stdout).toContain("CONSISTENT BUT UNPINNED");
  expect(unpinned.stdout).not.toContain("VERIFIED");
  const noQuorum = cli([b.file, ...pinAll(ctx, "2")]);
  expect(noQuorum.status, noQuorum.stdout).toBe(4);
  expect(noQuorum.stdout).toContain("QUORUM NOT MET");
  expect(cli([b.file, "--key", ctx.logVkey]).status).toBe(0);
}

async function withQuorum(ctx: Ctx) {
  ctx.rt.cosigner.start();
  await grow(ctx, 5);
  const b = await bundle(ctx);
  const sigs = splitNote(b.note);
  expect(sigs.ok && sigs.signatures.map((s) => s.name).sort()).toEqual(
    [ctx.origin, `alpha.${ctx.dialect}.test`, `beta.${ctx.dialect}.test`].sort(),
  );
  expect(b.witnesses).toMatchObject({ quorumMet: true });
  expect(b.witnesses!.list.map((w) => w.cosigned)).toEqual([true, true, false]);
  const ok = cli([b.file, ...pinAll(ctx, "2")]);
  expect(ok.status, ok.stdout + ok.stderr).toBe(0);
  expect(ok.stdout).toMatch(/witnessed by 2 of 3 \(w1, w2\)/);
  expect(ok.stdout).toMatch(/Trusted:\n {2}witness w1 \(alpha/);
  expect(ok.stdout).toContain("VERIFIED");
  expect(cli([b.file, ...pinAll(ctx, "3")]).status).toBe(4);
  // A witness the verifier did not pin counts for nothing.
  const stranger = witnessKey(`delta.${ctx.dialect}.test`);
  ctx.keys.push(stranger);
  expect(cli([b.file, "--witness", stranger.vkey]).status).toBe(4);
  // An old verifier (log key only) reads the same checkpoint: extra lines are ignored.
  const opened = openNote(b.note, [{ name: ctx.log.name, publicKey: ctx.log.publicKey }]);
  expect(opened.ok).toBe(true);
  if (opened.ok) expect(parseCheckpoint(opened.text)).toMatchObject({ origin: ctx.origin });
  const old = await verifyBundle(new Uint8Array(fs.readFileSync(b.file)), { key: ctx.logVkey });
  expect(old.verdict).toBe("verified");
}

async function oneOfTwo(ctx: Ctx) {
  await killWitness(ctx.running[1]!); // beta goes down
  await grow(ctx, 5);
  const b = await bundle(ctx);
  expect(b.witnesses).toMatchObject({ quorumMet: false });
  expect(b.witnesses!.list.map((w) => w.cosigned)).toEqual([true, false, false]);
  const r = cli([b.file, ...pinAll(ctx, "2")]);
  expect(r.status, r.stdout).toBe(4);
  expect(r.stdout).toMatch(/1 of your 3 pinned witnesses cosigned \(w1\)/);
}

async function forgedLine(ctx: Ctx) {
  await grow(ctx, 2);
  const cp = (await latestCheckpointRow(ctx.rt.db))!;
  // gamma's name and key id, signed with another key: only gamma's real key makes a valid line.
  const [gammaName, realId] = ctx.keys[2]!.vkey.split("+") as [string, string];
  const fake = generateCosignerKey(gammaName, new Uint8Array(32).fill(5));
  const now = Math.floor(Date.now() / 1000);
  const line = cosignCheckpoint(cp.note.slice(0, cp.note.indexOf("\n\n") + 1), fake, now);
  const sig = Buffer.from(line.trim().split(" ")[2]!, "base64");
  Buffer.from(realId, "hex").copy(sig, 0);
  await insertCosignature(ctx.rt.db, {
    tree_size: cp.tree_size,
    witness: gammaName,
    key_id: realId,
    cosigned_at: now,
    line: `\u2014 ${gammaName} ${sig.toString("base64")}\n`,
    received_at: new Date().toISOString(),
  });
  const b = await bundle(ctx);
  const r = cli([b.file, ...pinAll(ctx, "1")]);
  expect(r.status, r.stdout).toBe(1);
  expect(r.stdout).toMatch(/w3: cosignature does not verify.*forged/);
}

describe.each(DIALECTS)("bundles carry cosignatures (%s)", (dialect) => {
  const ctx = useWitnessedRuntime(dialect);
  it(
    "with no cosignature yet: says so in the manifest, exit 3 unpinned, exit 4 with witnesses pinned",
    () => noCosignatureYet(ctx),
    120_000,
  );
  it(
    "with a quorum: every line in checkpoint.txt, verified by the witnesses alone; a plain checkpoint still",
    () => withQuorum(ctx),
    120_000,
  );
  it("with one cosignature of a quorum of two: exit 4 naming who cosigned", () => oneOfTwo(ctx), 120_000);
  it("a forged cosignature line an insider stored fails the bundle (exit 1)", () => forgedLine(ctx), 120_000);
});
