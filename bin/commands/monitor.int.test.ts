import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appendSignatures,
  consistencyProof,
  formatCheckpoint,
  generateSigningKey,
  hashLeaf,
  merkleRoot,
  parseVerifierKey,
  signNote,
  utf8,
  verifierKeyString,
} from "@/lib/core/index.ts";
import {
  cosignCheckpoint,
  cosignerVerifierKey,
  encodeEntryBundle,
  formatAddCheckpoint,
  generateCosignerKey,
  tilesFromLeaves,
} from "@/lib/core/tlog/index.ts";
import { verifyWebhookBody } from "@/lib/core/webhook-signature.ts";
import { StateDir } from "@/lib/monitor/state.ts";
import { startWitness, witnessKey } from "@/test/support/witness-process.ts";

// The monitor as an auditor runs it — a separate process — against a small static
// tlog-tiles log served over HTTP, whose checkpoints are cosigned by a real witness process.
// (Tamper scenarios against a real Ledgerline server: test/stress/tlog.ts.)

const root = path.resolve(import.meta.dirname, "../..");
const cli = path.join(root, "bin/ledgerline.mjs");
const TOKEN = "llr_test_token";
const dirs: string[] = [];
const procs: ChildProcess[] = [];

const logKey = generateSigningKey("static.example/log", new Uint8Array(32).fill(1));
const LOG_VKEY = verifierKeyString(logKey.name, logKey.publicKey);
const swapped = generateSigningKey("static.example/log", new Uint8Array(32).fill(9));
const w2 = generateCosignerKey("w2.example", new Uint8Array(32).fill(2));
const W2_VKEY = cosignerVerifierKey(w2.name, w2.publicKey);

const entry = (seq: number) => utf8(`{"action":"read","n":${seq * 7},"seq":${seq},"source":"static"}`);
const entries = Array.from({ length: 1200 }, (_, i) => entry(i + 1));
const leaves = entries.map((e) => hashLeaf(e));

/** A tlog-tiles log in memory: tiles of the current size, entry bundles behind a token. */
class StaticLog {
  size = 0;
  note = "";
  extraSigs: string[] = [];
  requests = 0;
  private tiles = new Map<string, Uint8Array>();
  server!: http.Server;
  url = "";

  async start() {
    this.server = http.createServer((req, res) => {
      this.requests++;
      const p = (req.url ?? "").replace(/^\/tlog\//, "");
      if (p === "checkpoint")
        return void res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(this.note);
      if (p.startsWith("tile/entries/")) {
        if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end("unauthorized");
      }
      const data = this.tiles.get(p);
      if (!data) return void res.writeHead(404).end("not found");
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from(data));
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/tlog`;
  }

  /** Publishes the tree of `size` leaves with a checkpoint signed by `key`. */
  publish(size: number, key = logKey, from = leaves) {
    this.size = size;
    this.tiles = tilesFromLeaves(from.slice(0, size));
    for (const [p, d] of [...this.tiles]) {
      const m = /^tile\/0\/(.*)$/.exec(p);
      if (!m) continue;
      const index = Number(m[1]!.replace(/\.p\/\d+$/, "").replace(/[x/]/g, ""));
      const width = d.length / 32;
      this.tiles.set(`tile/entries/${m[1]}`, encodeEntryBundle(entries.slice(index * 256, index * 256 + width)));
    }
    this.note = signNote(formatCheckpoint({ origin: logKey.name, size, rootHash: merkleRoot(from.slice(0, size)) }), [
      key,
    ]);
  }

  text(): string {
    return this.note.slice(0, this.note.lastIndexOf("\n\n") + 1);
  }

  cosign(lines: string[]) {
    this.note = appendSignatures(this.note, lines);
  }
}

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-monitor-"));
  dirs.push(d);
  return d;
}

type Run = { status: number | null; stdout: string; stderr: string };

/** Runs the monitor to completion — asynchronously: the log it reads is served by this process. */
function monitor(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [cli, "monitor", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    proc.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill("SIGKILL"), 120_000);
    proc.once("exit", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** A witness process for the static log (with the witness's own rate limits), killed in afterAll. */
async function startLogWitness(): Promise<{ url: string; vkey: string }> {
  const key = witnessKey("w1.example");
  dirs.push(key.dir);
  const w = await startWitness(key, LOG_VKEY, { rate: null });
  procs.push(w.proc);
  return w;
}

async function addCheckpoint(witnessUrl: string, old: number, log: StaticLog): Promise<string> {
  const res = await fetch(`${witnessUrl}/add-checkpoint`, {
    method: "POST",
    body: formatAddCheckpoint({
      oldSize: old,
      proof: old === 0 ? [] : consistencyProof(old, leaves.slice(0, log.size)),
      checkpoint: log.note,
    }),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`witness: ${res.status} ${text}`);
  return text;
}

afterAll(() => {
  for (const p of procs) {
    try {
      process.kill(-p.pid!, "SIGKILL");
    } catch {
      // gone
    }
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("ledgerline monitor against a static tlog-tiles log cosigned by a witness process", () => {
  const log = new StaticLog();
  let w1: { url: string; vkey: string };
  let state: string;

  beforeAll(async () => {
    await log.start();
    w1 = await startLogWitness();
    log.publish(600);
    log.cosign([await addCheckpoint(w1.url, 0, log), cosignCheckpoint(log.text(), w2, Math.floor(Date.now() / 1000))]);
    state = tmp();
  }, 120_000);
  afterAll(() => new Promise<void>((r) => log.server.close(() => r())));

  /** One pass over the static log with its key; `more` adds witnesses, state, token … */
  const once = (more: string[], env: Record<string, string> = {}) =>
    monitor(["--once", "--url", log.url, "--key", LOG_VKEY, ...more], env);

  it("verifies signature, quorum, every leaf and every entry on a first pass, then follows growth", async () => {
    const first = await once(["--witness", w1.vkey, "--witness", W2_VKEY, "--state", state, "--token", TOKEN]);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/OK: tree size 600 \(\+600\)/);
    expect(first.stdout).toMatch(/3 tiles, 3 entry bundles/);
    const saved = new StateDir(state).load()!;
    expect(saved.state.size).toBe(600);
    expect(saved.digests).toHaveLength(2);
    expect(saved.state.entriesVerified).toBe(600);
    expect(saved.state.partial).toMatchObject({ index: 2, width: 88 });
    expect(fs.existsSync(path.join(state, "monitor.lock"))).toBe(false);
    expect(fs.statSync(path.join(state, "state.json")).mode & 0o777).toBe(0o600);
  });

  it("proves a grown checkpoint consistent with the last one and re-reads old tiles", async () => {
    log.publish(1100);
    log.cosign([
      await addCheckpoint(w1.url, 600, log),
      cosignCheckpoint(log.text(), w2, Math.floor(Date.now() / 1000)),
    ]);
    const r = await once(["--witness", w1.vkey, "--witness", W2_VKEY, "--state", state], {
      LEDGERLINE_READ_TOKEN: TOKEN,
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/OK: tree size 1100 \(\+500\)/);
    expect(r.stdout).toMatch(/2 old tiles re-checked/);
  });

  it("exits 11 when the checkpoint lacks the witness quorum, 0 with --quorum 1 or a policy that allows it", async () => {
    const w3 = cosignerVerifierKey(
      "w3.example",
      generateCosignerKey("w3.example", new Uint8Array(32).fill(3)).publicKey,
    );
    // w1 cosigned the checkpoint, w3 did not: one of two.
    const withW3 = (...more: string[]) => once(["--witness", w1.vkey, "--witness", w3, ...more]);
    const lost = await withW3("--state", tmp());
    expect(lost.status, lost.stdout + lost.stderr).toBe(11);
    expect(lost.stdout).toMatch(/PROBLEM lost-quorum: the checkpoint is cosigned by 1 of the 2 configured witness/);
    const one = await withW3("--quorum", "1", "--state", tmp());
    expect(one.status, one.stdout).toBe(0);
    const policy = path.join(tmp(), "policy");
    fs.writeFileSync(
      policy,
      `log ${LOG_VKEY}\nwitness A ${w1.vkey}\nwitness B ${w3}\nwitness C ${W2_VKEY}\ngroup G 2 A B C\nquorum G\n`,
    );
    expect((await monitor(["--once", "--url", log.url, "--policy", policy, "--state", tmp()])).status).toBe(0);
  });

  it("exits 18 on a swapped key (no rotation statement) and posts an alert signed like the server's integrity alerts", async () => {
    const d = tmp();
    const keyFile = path.join(d, "monitor.key");
    const kg = spawnSync(process.execPath, [cli, "monitor", "keygen", "--name", "monitor.test", "--out", keyFile], {
      encoding: "utf8",
    });
    expect(kg.status, kg.stderr).toBe(0);
    const monitorKey = parseVerifierKey(kg.stdout.trim());
    const received: Array<{ body: string; headers: http.IncomingHttpHeaders }> = [];
    const hook = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        received.push({ body, headers: req.headers });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    const saved = log.note;
    try {
      log.note = signNote(log.text(), [swapped]);
      const r = await once([
        "--state",
        state,
        "--webhook",
        `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`,
        "--webhook-secret-file",
        keyFile,
      ]);
      expect(r.status, r.stdout + r.stderr).toBe(18);
      expect(r.stdout).toMatch(
        /PROBLEM key-changed: key changed without a rotation statement: the checkpoint is signed by static\.example\/log\+[0-9a-f]{8}, not by static\.example\/log\+[0-9a-f]{8} that this monitor trusts .*no read token/,
      );
      expect(received).toHaveLength(1);
      const { body, headers } = received[0]!;
      expect(headers["x-ledgerline-key-id"]).toBe(Buffer.from(monitorKey.keyId).toString("hex"));
      expect(verifyWebhookBody(body, String(headers["x-ledgerline-signature"]), monitorKey.publicKey)).toBe(true);
      expect(JSON.parse(body)).toMatchObject({
        type: "ledgerline.monitor.alert",
        kind: "key-changed",
        origin: "static.example/log",
        treeSize: 1100,
      });
      const evidence = fs.readdirSync(path.join(state, "evidence"));
      expect(evidence.some((f) => f.endsWith("-key-changed.txt"))).toBe(true);
      // The state did not move: the next honest pass continues from 1100.
      expect(new StateDir(state).load()!.state.size).toBe(1100);
    } finally {
      log.note = saved;
      await new Promise<void>((r) => hook.close(() => r()));
    }
  });

  it("exits 12 on a rollback, 13 on a fork, 14 when the tiles do not give the signed root", async () => {
    const args = (s: string) => ["--once", "--url", log.url, "--key", LOG_VKEY, "--state", s];
    const saved = log.note;
    log.publish(900);
    const rollback = await monitor(args(state));
    expect(rollback.status, rollback.stdout).toBe(12);
    expect(rollback.stdout).toMatch(
      /rollback: the log now serves a checkpoint of size 900, but this monitor verified size 1100/,
    );
    const forked = leaves.map((l, i) => (i === 5 ? hashLeaf(utf8("evil")) : l));
    log.publish(1200, logKey, forked);
    const fork = await monitor(args(state));
    expect(fork.status, fork.stdout).toBe(13);
    expect(fork.stdout).toMatch(/not consistent with the one of size 1100/);
    // Honest checkpoint, but tiles that do not add up to it.
    log.publish(1200);
    const note = log.note;
    log.publish(1200, logKey, forked);
    log.note = note;
    const fresh = await monitor(args(tmp()));
    expect(fresh.status, fresh.stdout).toBe(14);
    expect(fresh.stdout).toMatch(/root-mismatch/);
    log.publish(1100);
    log.note = saved;
  });

  it("exits 15 when an entry does not hash to its leaf, 16 when a tile is withheld, 1 on a refused token, 3 when unreachable, 2 on bad usage", async () => {
    const original = entries[300]!;
    entries[300] = utf8(`{"action":"write","n":2107,"seq":301,"source":"static"}`);
    log.publish(1100);
    const leaf = await once(["--state", tmp(), "--token", TOKEN]);
    entries[300] = original;
    expect(leaf.status, leaf.stdout).toBe(15);
    expect(leaf.stdout).toMatch(
      /entry 301: its bytes hash to .* the entry was changed after it was logged \(first bad seq 301\)/,
    );
    log.publish(1100);
    (log as unknown as { tiles: Map<string, Uint8Array> }).tiles.delete("tile/0/002");
    const withheld = await once(["--state", tmp()]);
    expect(withheld.status, withheld.stdout).toBe(16);
    expect(withheld.stdout).toMatch(/truncation: .*tile\/0\/002: HTTP 404.*first bad seq 513/);
    log.publish(1100);
    const refused = await once(["--state", tmp(), "--token", "llr_wrong"]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/read token was refused/);
    const down = await monitor(["--once", "--url", "http://127.0.0.1:9/tlog", "--key", LOG_VKEY, "--state", tmp()]);
    expect(down.status).toBe(3);
    expect(down.stdout).toMatch(/log unreachable/);
    const usage = await monitor(["--once", "--url", log.url, "--state", tmp()]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/--key <log verifier key> is required/);
    const quorum = await once(["--state", tmp(), "--quorum", "1"]);
    expect(quorum.status).toBe(2);
  }, 180_000);

  it("runs until stopped, one pass per interval, and stops cleanly on SIGTERM", async () => {
    const s = tmp();
    const proc = spawn(
      process.execPath,
      [cli, "monitor", "--url", log.url, "--key", LOG_VKEY, "--state", s, "--interval", "1"],
      {
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    procs.push(proc);
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => proc.once("exit", (c) => r(c)));
    for (let i = 0; i < 600 && (out.match(/OK: tree size/g) ?? []).length < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((out.match(/OK: tree size 1100/g) ?? []).length).toBeGreaterThanOrEqual(2);
    // A second monitor on the same state directory is refused while this one runs.
    const second = await once(["--state", s]);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/another monitor \(pid \d+\) is using/);
    process.kill(-proc.pid!, "SIGTERM");
    expect(await exited).toBe(0);
    expect(out).toMatch(/SIGTERM: stopping/);
  }, 120_000);
});

describe("monitor state directory", () => {
  it("cuts tile digests a crashed run appended but never counted", () => {
    const dir = new StateDir(tmp());
    dir.appendDigests([new Uint8Array(32).fill(1)], 0);
    dir.save({
      version: 1,
      url: "x",
      origin: "o",
      logKey: "k",
      size: 256,
      root: "",
      frontier: [],
      checkpoint: "",
      entriesVerified: 0,
      fullTiles: 1,
      partial: null,
      recheckCursor: 0,
      verifiedAt: "",
    });
    dir.appendDigests([new Uint8Array(32).fill(2), new Uint8Array(32).fill(3)], 1); // crash before save
    const loaded = dir.load()!;
    expect(loaded.digests).toHaveLength(1);
    expect(fs.statSync(path.join(dir.dir, "tiles.sha256")).size).toBe(32);
    fs.truncateSync(path.join(dir.dir, "tiles.sha256"), 0);
    expect(() => dir.load()).toThrow(/damaged/);
  });
});
