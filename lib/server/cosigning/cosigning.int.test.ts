import fs from "node:fs";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  formatCheckpoint,
  generateSigningKey,
  merkleRoot,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  sha256,
  signNote,
  signerKeyString,
  verifierKeyString,
} from "@/lib/core/index.ts";
import { checkCosignatures, formatAddCheckpoint, parseCosignerVerifierKey } from "@/lib/core/tlog/index.ts";
import { validateEvent, type NormalizedEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshStore, openRuntime, testApi, type Dialect } from "@/test/support/stores.ts";
import {
  killWitness,
  startWitness,
  witnessKey,
  witnessesEnv,
  type WitnessProcess,
} from "@/test/support/witness-process.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { loadConfig } from "../config.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { cosignaturesOf } from "../ledger/store/cosignatures.ts";
import { getIntegrityStatus } from "../integrity/status.ts";

// Cosigning as a log, with real witness processes (`ledgerline witness serve`): checkpoints
// go to every witness, the returned cosignatures are stored append-only and served as extra
// signature lines that verify with lib/core; a witness that is down never stops an append,
// is alerted on after LEDGERLINE_WITNESS_ALERT_AFTER and catches up once back; a witness
// that holds another tree answers 409 or 422 and that is a fork or rollback alert.

const ORIGIN = "cosign.test/log";
const LOG = generateSigningKey(ORIGIN, new Uint8Array(32).fill(7));
const LOG_VKEY = verifierKeyString(LOG.name, LOG.publicKey);
const AUDITOR = systemPrincipal("auditor@example.com");

const witnesses: WitnessProcess[] = [];
const dirs: string[] = [];
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  for (const w of witnesses) await killWitness(w);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function newWitness(name: string, port?: number, key = witnessKey(name)) {
  if (!dirs.includes(key.dir)) dirs.push(key.dir);
  const w = await startWitness(key, LOG_VKEY, { port });
  witnesses.push(w);
  return { w, key };
}

function events(n: number): NormalizedEvent[] {
  return Array.from({ length: n }, () => {
    const r = validateEvent(event());
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.event;
  });
}

/** A runtime on a fresh store whose checkpoints go to `ws`, started like the server's (cosigner listening). */
async function cosigningRuntime(dialect: Dialect, ws: WitnessProcess[], env: Record<string, string> = {}) {
  const store = await freshStore(dialect, {
    LEDGERLINE_ORIGIN: ORIGIN,
    LEDGERLINE_SIGNING_KEY: signerKeyString(LOG.name, LOG.seed),
    LEDGERLINE_WITNESSES: witnessesEnv(ws),
    LEDGERLINE_WITNESS_TIMEOUT: "5",
    ...env,
  });
  const rt = await openRuntime(store.config);
  rt.cosigner.start();
  cleanups.push(async () => {
    await rt.close();
    await store.cleanup();
  });
  return { rt, store };
}

async function grow(rt: Runtime, n: number): Promise<number> {
  const r = await rt.sequencer.append("spiffe://test/cosign", events(n));
  if (!r.ok) throw new Error("append conflicted");
  await rt.sequencer.checkpoint();
  await rt.cosigner.settle();
  return r.treeSize;
}

async function served(rt: Runtime, path: "/api/v1/checkpoint" | "/tlog/checkpoint"): Promise<string> {
  const api = testApi(rt);
  const res =
    path === "/api/v1/checkpoint"
      ? await api.checkpoint.get(new Request(`http://x${path}`), {})
      : await api.tlog.get(new Request(`http://x${path}`), { params: Promise.resolve({ path: ["checkpoint"] }) });
  expect(res.status).toBe(200);
  return res.text();
}

describe.each(DIALECTS)("cosigning with one real witness (%s)", (dialect) => {
  it("stores each verified cosignature append-only and serves it as an extra line that verifies", async () => {
    const { w } = await newWitness("witness.test/one");
    const { rt, store } = await cosigningRuntime(dialect, [w]);
    const first = await grow(rt, 5);
    const size = await grow(rt, 300);
    expect(size).toBe(305);
    expect(first).toBe(5);
    const rows = await cosignaturesOf(rt.db, size);
    expect(rows.map((r) => r.witness)).toEqual(["witness.test/one"]);
    expect(await cosignaturesOf(rt.db, first)).toHaveLength(1);
    for (const path of ["/api/v1/checkpoint", "/tlog/checkpoint"] as const) {
      const note = await served(rt, path);
      expect(openNote(note, [parseVerifierKey(LOG_VKEY)]).ok).toBe(true);
      const opened = openNote(note, [parseVerifierKey(LOG_VKEY)]);
      expect(opened.ok && parseCheckpoint(opened.text).size).toBe(size);
      const check = checkCosignatures(note, [parseCosignerVerifierKey(w.vkey)], {
        now: Math.floor(Date.now() / 1000),
        maxFutureSeconds: 60,
      });
      expect(check.invalid).toEqual([]);
      expect(check.valid.map((v) => v.name)).toEqual(["witness.test/one"]);
    }
    // The witness advanced with us: it logged the second checkpoint as consistent growth from the first.
    expect(w.out.some((l) => /cosigned cosign\.test\/log size 305 \(old 5\)/.test(l))).toBe(true);
    const attacker = await store.attacker();
    try {
      await expect(attacker.exec("UPDATE cosignatures SET line = 'x'")).rejects.toThrow(/append-only/);
      await expect(attacker.exec("DELETE FROM cosignatures")).rejects.toThrow(/append-only/);
    } finally {
      await attacker.close();
    }
    const st = await getIntegrityStatus(rt);
    expect(st.witnesses.latest).toMatchObject({
      treeSize: size,
      cosignedBy: ["witness.test/one"],
      quorumReached: true,
    });
    expect(st.witnesses.witnesses[0]).toMatchObject({ lastCosignedSize: size, lagEntries: 0, lastError: null });
  }, 120_000);
});

describe("cosigning with three real witnesses (sqlite)", () => {
  it("a killed witness never blocks ingest, is alerted on when silent too long, and catches up when back", async () => {
    const [a, b, c] = await Promise.all(
      ["witness.test/a", "witness.test/b", "witness.test/c"].map((n) => newWitness(n)),
    );
    const { rt } = await cosigningRuntime("sqlite", [a!.w, b!.w, c!.w], {
      LEDGERLINE_WITNESS_QUORUM: "2",
      LEDGERLINE_WITNESS_ALERT_AFTER: "1",
    });
    const s1 = await grow(rt, 10);
    expect((await cosignaturesOf(rt.db, s1)).length).toBe(3);
    await killWitness(c!.w);
    const t0 = performance.now();
    const s2 = await grow(rt, 10);
    // Fail open: the append and its checkpoint do not wait for the dead witness's retries.
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect((await cosignaturesOf(rt.db, s2)).map((r) => r.witness).sort()).toEqual([
      "witness.test/a",
      "witness.test/b",
    ]);
    let st = await getIntegrityStatus(rt);
    expect(st.witnesses.latest).toMatchObject({ treeSize: s2, quorumReached: true });
    const dead = st.witnesses.witnesses.find((x) => x.name === "witness.test/c")!;
    expect(dead.lastCosignedSize).toBe(s1);
    expect(dead.lagEntries).toBe(s2 - s1);
    expect(dead.lastError?.message).toMatch(/request failed/);
    await new Promise((r) => setTimeout(r, 1500));
    await rt.cosigner.checkSilences();
    st = await getIntegrityStatus(rt);
    expect(st.witnesses.alerts.map((x) => [x.witness, x.kind])).toEqual([["witness.test/c", "silent"]]);
    const logged = await rt.prisma.entry.findMany({ where: { action: "witness.silent" } });
    expect(logged).toHaveLength(1);
    // Back on its port with its state: it is sent the latest checkpoint with a proof from s1.
    const back = await newWitness("witness.test/c", c!.w.port, c!.key);
    await rt.cosigner.settle({ force: true });
    const latest = (await getIntegrityStatus(rt)).witnesses;
    expect(latest.witnesses.find((x) => x.name === "witness.test/c")).toMatchObject({ lagEntries: 0, lastError: null });
    expect(back.w.out.some((l) => new RegExp(`\\(old ${s1}\\)`).test(l))).toBe(true);
  }, 180_000);
});

describe("a witness that has seen another tree (sqlite)", () => {
  const other = Array.from({ length: 50 }, (_, i) => sha256(Uint8Array.of(i, 9)));
  const forged = (size: number) =>
    signNote(formatCheckpoint({ origin: ORIGIN, size, rootHash: merkleRoot(other.slice(0, size)) }), [LOG]);

  it("a larger cosigned tree is a rollback alert, a different root at our size a fork alert", async () => {
    const { w: big } = await newWitness("witness.test/big");
    const { w: same } = await newWitness("witness.test/same");
    // Someone holding the log key showed these witnesses another history first.
    for (const [w, size] of [
      [big, 50],
      [same, 12],
    ] as const) {
      const res = await fetch(`${w.url}/add-checkpoint`, {
        method: "POST",
        body: formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: forged(size) }),
      });
      expect(res.status).toBe(200);
    }
    const { rt } = await cosigningRuntime("sqlite", [big, same], { LEDGERLINE_WITNESS_QUORUM: "1" });
    await rt.sequencer.append("spiffe://test/cosign", events(12));
    await rt.sequencer.checkpoint();
    await rt.cosigner.settle();
    const st = await getIntegrityStatus(rt);
    const kinds = Object.fromEntries(st.witnesses.alerts.map((a) => [a.witness, a]));
    expect(kinds["witness.test/big"]).toMatchObject({ kind: "rollback", treeSize: 12, witnessSize: 50 });
    expect(kinds["witness.test/same"]).toMatchObject({ kind: "fork", treeSize: 12 });
    expect(st.witnesses.latest).toMatchObject({ cosignedBy: [], quorumReached: false });
    expect(await cosignaturesOf(rt.db, 12)).toEqual([]);
    const logged = await rt.prisma.entry.findMany({ where: { source: "ledgerline:cosigner" } });
    expect(logged.map((e) => e.action).sort()).toEqual(["witness.fork", "witness.rollback"]);
    // The same through the API an auditor reads.
    const res = await testApi(rt, AUDITOR).integrity.get(new Request("http://x/api/v1/integrity"), {});
    const body = (await res.json()) as { witnesses: { alerts: Array<{ kind: string }> } };
    expect(body.witnesses.alerts.map((a) => a.kind).sort()).toEqual(["fork", "rollback"]);
  }, 120_000);
});

describe("witness configuration", () => {
  it("refuses bad settings with the variable named", () => {
    const vkey = witnessKey("witness.test/cfg");
    dirs.push(vkey.dir);
    const base = { LEDGERLINE_DATA_DIR: "/tmp/x" };
    expect(() => loadConfig({ ...base, LEDGERLINE_WITNESSES: "nope" })).toThrow(/LEDGERLINE_WITNESSES entry 1/);
    expect(() => loadConfig({ ...base, LEDGERLINE_WITNESSES: `${vkey.vkey}@ftp://x` })).toThrow(/http\(s\)/);
    expect(() =>
      loadConfig({ ...base, LEDGERLINE_WITNESSES: `${vkey.vkey}@http://127.0.0.1:1`, LEDGERLINE_WITNESS_QUORUM: "2" }),
    ).toThrow(/LEDGERLINE_WITNESS_QUORUM must be an integer from 0 to 1/);
    expect(() => loadConfig({ ...base, LEDGERLINE_WITNESSES: `${LOG_VKEY}@http://127.0.0.1:1` })).toThrow(
      /log \(checkpoint\) key, not a witness key/,
    );
    const ok = loadConfig({ ...base, LEDGERLINE_WITNESSES: `${vkey.vkey}@http://127.0.0.1:1/` });
    expect(ok.witnesses?.witnesses[0]).toMatchObject({ label: "witness.test/cfg", url: "http://127.0.0.1:1" });
    expect(ok.witnesses?.policy.quorum).toBe("ledgerline-quorum");
  });
});
