import { spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  consistencyProof,
  formatCheckpoint,
  generateSigningKey,
  merkleRoot,
  sha256,
  signNote,
  verifierKeyString,
} from "@/lib/core/index.ts";
import {
  SIZE_CONTENT_TYPE,
  checkCosignatures,
  formatAddCheckpoint,
  parseCosignerVerifierKey,
} from "@/lib/core/tlog/index.ts";
import { WitnessState } from "@/lib/witness/state.ts";
import {
  addCheckpointBody,
  startWitness,
  type WitnessOptions,
  type WitnessProcess,
} from "@/test/support/witness-process.ts";

// The witness as its operator runs it: `ledgerline witness keygen` and `witness serve` as
// separate processes, fed checkpoints of a real tree signed with lib/core, killed with
// SIGKILL and restarted on the same state.

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "bin/ledgerline.mjs");
const dirs: string[] = [];
const procs: ChildProcess[] = [];

const log = generateSigningKey("log.example/test", new Uint8Array(32).fill(1));
const impostor = generateSigningKey("log.example/test", new Uint8Array(32).fill(2));
const LOG_VKEY = verifierKeyString(log.name, log.publicKey);
const leaves = Array.from({ length: 700 }, (_, i) => sha256(Uint8Array.of(i >> 8, i & 0xff, 1)));
const forked = leaves.map((l, i) => (i === 42 ? sha256(Uint8Array.of(6, 6, 6)) : l));

function checkpoint(size: number, from = leaves, key = log): string {
  return signNote(formatCheckpoint({ origin: log.name, size, rootHash: merkleRoot(from.slice(0, size)) }), [key]);
}

function body(old: number, size: number, opts: { from?: Uint8Array[]; proof?: Uint8Array[]; key?: typeof log } = {}) {
  return addCheckpointBody(opts.key ?? log, opts.from ?? leaves, old, size, { proof: opts.proof });
}

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-witness-"));
  dirs.push(d);
  return d;
}

function keygen(dir: string, name = "witness.test/w1"): { file: string; vkey: string } {
  const file = path.join(dir, "witness.key");
  const r = spawnSync(process.execPath, [cli, "witness", "keygen", "--name", name, "--out", file], {
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return { file, vkey: r.stdout.trim() };
}

/** `ledgerline witness serve` for LOG_VKEY (test/support/witness-process.ts), killed after the tests. */
async function serve(
  key: { file: string; vkey: string },
  state: string,
  rate: WitnessOptions["rate"] = null,
): Promise<WitnessProcess> {
  const w = await startWitness({ dir: path.dirname(key.file), keyFile: key.file, vkey: key.vkey }, LOG_VKEY, {
    stateDir: state,
    rate,
  });
  procs.push(w.proc);
  return w;
}

async function post(w: WitnessProcess, text: string) {
  const res = await fetch(`${w.url}/add-checkpoint`, { method: "POST", body: text });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text(), headers: res.headers };
}

/** Signals the witness's whole process group, as a crash or systemd would. */
function kill(proc: ChildProcess, sig: NodeJS.Signals): void {
  try {
    process.kill(-proc.pid!, sig);
  } catch {
    // already gone
  }
}

afterAll(() => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) kill(p, "SIGKILL");
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("ledgerline witness (separate process)", () => {
  let dir: string;
  let key: { file: string; vkey: string };
  let w: WitnessProcess;

  beforeAll(async () => {
    dir = tmp();
    key = keygen(dir);
    w = await serve(key, path.join(dir, "state"), { perSecond: 1000, burst: 1000 });
  }, 90_000);

  it("keygen writes a 0600 private key and prints a cosignature/v1 verifier key", () => {
    expect(fs.statSync(key.file).mode & 0o777).toBe(0o600);
    expect(parseCosignerVerifierKey(key.vkey).name).toBe("witness.test/w1");
    expect(fs.readFileSync(key.file, "utf8")).toMatch(/^PRIVATE\+KEY\+witness\.test\/w1\+[0-9a-f]{8}\+/);
    const again = spawnSync(process.execPath, [cli, "witness", "keygen", "--name", "x", "--out", key.file], {
      encoding: "utf8",
    });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/refusing to overwrite/);
  });

  it("cosigns a first checkpoint and consistent growth with cosignatures that verify", async () => {
    const first = await post(w, body(0, 100));
    expect(first.status, first.text).toBe(200);
    const cosigner = parseCosignerVerifierKey(key.vkey);
    const note = checkpoint(100) + first.text;
    const r = checkCosignatures(note, [cosigner], { now: Math.floor(Date.now() / 1000), maxFutureSeconds: 60 });
    expect(r.valid).toHaveLength(1);
    expect(Math.abs(r.valid[0]!.timestamp - Date.now() / 1000)).toBeLessThan(120);
    const next = await post(w, body(100, 300));
    expect(next.status, next.text).toBe(200);
    expect(checkCosignatures(checkpoint(300) + next.text, [cosigner]).valid).toHaveLength(1);
    // The same checkpoint again is fine (a log retrying).
    expect((await post(w, body(300, 300))).status).toBe(200);
    expect(w.out.join("\n")).toMatch(/cosigned log\.example\/test size 300 \(old 100\)/);
  });

  it("answers 409 text/x.tlog.size with its size to a stale old size", async () => {
    const r = await post(w, body(100, 400));
    expect(r.status).toBe(409);
    expect(r.type).toBe(SIZE_CONTENT_TYPE);
    expect(r.text).toBe("300\n");
  });

  it("answers 409 and raises an alert on a fork (same size, other root) and on a signed rollback", async () => {
    const fork = await post(w, body(300, 300, { from: forked, proof: [] }));
    expect(fork.status).toBe(409);
    expect(fork.type).toMatch(/^text\/plain/);
    expect(fork.text).toMatch(/^fork: the log signed two different roots for size 300/);
    const rollback = await post(w, body(0, 100));
    expect(rollback.status).toBe(409);
    expect(rollback.text).toBe("300\n");
    await new Promise((r) => setTimeout(r, 200));
    const out = w.out.join("\n");
    expect(out).toMatch(/ALERT refused \(409 fork\)/);
    expect(out).toMatch(/ALERT refused \(409 rollback\)/);
  });

  it("answers 422 to a bad consistency proof and 403 to a checkpoint the log's key did not sign", async () => {
    const bad = await post(w, body(300, 600, { from: forked }));
    expect(bad.status).toBe(422);
    const truncated = await post(w, body(300, 600, { proof: consistencyProof(300, leaves.slice(0, 600)).slice(1) }));
    expect(truncated.status).toBe(422);
    expect((await post(w, body(300, 600, { key: impostor }))).status).toBe(403);
    expect((await post(w, body(300, 600))).status).toBe(200);
  });

  it("answers 404 for another origin, 400 for garbage, 413 past 16 KiB, 405 for GET", async () => {
    const other = signNote(formatCheckpoint({ origin: "other.example/log", size: 1, rootHash: leaves[0]! }), [log]);
    expect((await post(w, formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: other }))).status).toBe(404);
    expect((await post(w, "hello")).status).toBe(400);
    expect((await post(w, `old 600\n\n${"x".repeat(20_000)}`)).status).toBe(413);
    expect((await fetch(`${w.url}/add-checkpoint`)).status).toBe(405);
    expect((await fetch(`${w.url}/other`)).status).toBe(404);
  });

  it("keeps its state through SIGKILL, refuses a rollback after restart, and keeps the evidence", async () => {
    kill(w.proc, "SIGKILL");
    await w.exited;
    const state = new WitnessState(path.join(dir, "state"));
    expect(state.get(log.name)?.size).toBe(600);
    expect(state.evidence().map((e) => e.kind)).toEqual(["fork", "rollback", "bad-proof", "bad-proof"]);
    expect(state.evidence()[0]!.request).toContain(checkpoint(300, forked));
    state.close();
    w = await serve(key, path.join(dir, "state"));
    for (let i = 0; i < 50 && !w.out.some((l) => l.includes("following")); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(w.out.join("\n")).toMatch(/following log\.example\/test \(last cosigned size 600/);
    const back = await post(w, body(0, 300));
    expect(back.status).toBe(409);
    expect(back.text).toBe("600\n");
    expect((await post(w, body(600, 700))).status).toBe(200);
  }, 90_000);
});

describe("ledgerline witness limits and refusals", () => {
  it("rate-limits each log with 429 and Retry-After", async () => {
    const dir = tmp();
    const key = keygen(dir);
    const w = await serve(key, path.join(dir, "state"), { perSecond: 0.01, burst: 2 });
    expect((await post(w, body(0, 10))).status).toBe(200);
    expect((await post(w, body(10, 20))).status).toBe(200);
    const limited = await post(w, body(20, 30));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Unsigned junk for the same origin does not spend the log's budget (nor get a 429).
    expect((await post(w, body(20, 30, { key: impostor }))).status).toBe(403);
    kill(w.proc, "SIGTERM");
    expect(await w.exited).toBe(0);
  }, 90_000);

  it("refuses a key file others can read, and a state directory of another witness key", async () => {
    const dir = tmp();
    const key = keygen(dir);
    const state = path.join(dir, "state");
    const w = await serve(key, state);
    kill(w.proc, "SIGTERM");
    await w.exited;
    fs.chmodSync(key.file, 0o644);
    const loose = spawnSync(
      process.execPath,
      [cli, "witness", "serve", "--key-file", key.file, "--state", state, "--log", LOG_VKEY],
      {
        encoding: "utf8",
      },
    );
    expect(loose.status).toBe(1);
    expect(loose.stderr).toMatch(/chmod 600/);
    const other = keygen(tmp(), "witness.test/w2");
    const mixed = spawnSync(
      process.execPath,
      [cli, "witness", "serve", "--port", "0", "--key-file", other.file, "--state", state, "--log", LOG_VKEY],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(mixed.status).toBe(1);
    expect(mixed.stderr).toMatch(/belongs to the witness key witness\.test\/w1/);
    const usage = spawnSync(process.execPath, [cli, "witness", "serve", "--key-file", other.file, "--state", state], {
      encoding: "utf8",
    });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--log <vkey>/);
  }, 120_000);
});
