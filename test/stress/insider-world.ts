// The world of the insider suite (test/stress/insider.ts, npm run tamper-demo): a real
// `next start` server on a SQLite store, a real witness process, a real webhook receiver
// process, and the auditor's monitor run as its own process (`ledgerline monitor --once`)
// with a read token, the witness's key and a signed webhook. The insider works on the store
// with a database connection of its own, drops the append-only triggers to write and puts
// them back before a restart (the server refuses to start without them).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { generateSigningKey, parseVerifierKey, signerKeyString, verifierKeyString } from "@/lib/core/index.ts";
import { verifyWebhookBody } from "@/lib/core/webhook-signature.ts";
import {
  killWitness,
  startWitness,
  witnessKey,
  witnessesEnv,
  type WitnessProcess,
} from "../support/witness-process.ts";
import {
  createIngestKey,
  createReadToken,
  fetchFresh,
  makeEvent,
  root,
  sleep,
  startServer,
  stopServer,
  type Checks,
  type Server,
  type Store,
} from "./support.ts";
import { servedCheckpoint } from "./witnesses.ts";

export const ORIGIN = "insider.test/log";
const SOURCE = "spiffe://insider.test/ns/shop/sa/orders";
const cli = path.join(root, "bin/ledgerline.mjs");
const GUARDED = ["entries", "merkle_nodes", "checkpoints", "cosignatures", "signing_keys", "key_rotations"];

/** One line the receiver got: which path (/monitor or /server), the signature headers, the body. */
export type Received = { path: string; keyId: string | null; signature: string | null; body: string };

type Receiver = { url: string; proc: ChildProcess; got: Received[] };

export type World = {
  store: Store;
  checks: Checks;
  say: (line: string) => void;
  server: Server | null;
  witness: WitnessProcess;
  receiver: Receiver;
  logKey: { seed: Uint8Array; vkey: string };
  monitorKey: { file: string; vkey: string };
  monitorState: string;
  ingestKey: string;
  token: string;
  tmp: string;
  sent: number;
  /** Entries of the honest log (reduced in --quick). */
  size: number;
};

export type Scenario = { id: string; title: string; did: string; run(w: World): Promise<void> };

export function keyFile(w: World): string {
  return path.join(w.store.dataDir, "signing-key");
}

export function serverEnv(w: Pick<World, "witness" | "receiver">): Record<string, string> {
  return {
    LEDGERLINE_ORIGIN: ORIGIN,
    LEDGERLINE_CHECKPOINT_INTERVAL: "2",
    LEDGERLINE_VERIFY_INTERVAL: "0",
    LEDGERLINE_WITNESSES: witnessesEnv([w.witness]),
    LEDGERLINE_WITNESS_QUORUM: "1",
    LEDGERLINE_WITNESS_TIMEOUT: "3",
    LEDGERLINE_ALERT_WEBHOOK: `${w.receiver.url}/server`,
    LEDGERLINE_MAX_BATCH: "10000",
  };
}

async function startReceiver(): Promise<Receiver> {
  const proc = spawn(process.execPath, [path.join(root, "test/support/webhook-receiver.mjs")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const got: Received[] = [];
  let buf = "";
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = /^listening on (\S+)$/.exec(line);
        if (m) resolve(m[1]!);
        else if (line.startsWith("{")) got.push(JSON.parse(line) as Received);
      }
    });
    proc.once("exit", (code) => reject(new Error(`webhook receiver exited (${code})`)));
    setTimeout(() => reject(new Error("webhook receiver did not start")), 30_000).unref();
  });
  return { url, proc, got };
}

/** Witness, receiver, monitor key, the log's key file, credentials, the server: everything up. */
export async function setUp(store: Store, checks: Checks, say: (l: string) => void, size: number): Promise<World> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-insider-"));
  const k = generateSigningKey(ORIGIN);
  const logKey = { seed: k.seed, vkey: verifierKeyString(k.name, k.publicKey) };
  fs.writeFileSync(path.join(store.dataDir, "signing-key"), `${signerKeyString(ORIGIN, k.seed)}\n`, { mode: 0o600 });
  const wk = witnessKey("auditor.test/witness");
  const witness = await startWitness(wk, logKey.vkey);
  const receiver = await startReceiver();
  const mkFile = path.join(tmp, "monitor.key");
  const mk = spawnSync(
    process.execPath,
    [cli, "monitor", "keygen", "--name", "auditor.test/monitor", "--out", mkFile],
    {
      encoding: "utf8",
    },
  );
  if (mk.status !== 0) throw new Error(`monitor keygen failed: ${mk.stderr}`);
  const w: World = {
    store,
    checks,
    say,
    server: null,
    witness,
    receiver,
    logKey,
    monitorKey: { file: mkFile, vkey: mk.stdout.trim() },
    monitorState: path.join(tmp, "monitor-state"),
    ingestKey: createIngestKey(store, SOURCE),
    token: createReadToken(store, "auditor"),
    tmp,
    sent: 0,
    size,
  };
  w.server = await startServer(store, serverEnv(w));
  return w;
}

export async function tearDown(w: World | null): Promise<void> {
  if (!w) return;
  if (w.server) await stopServer(w.server);
  await killWitness(w.witness);
  w.receiver.proc.kill("SIGTERM");
  fs.rmSync(w.tmp, { recursive: true, force: true });
  fs.rmSync(path.dirname(w.witness.stateDir), { recursive: true, force: true });
}

/** Sends `count` events (200 per request); returns what the server acknowledged (the sender's receipts). */
export async function ingest(
  w: World,
  count: number,
  tag = "honest",
  batch = 200,
): Promise<Array<{ seq: number; leafHash: string }>> {
  const out: Array<{ seq: number; leafHash: string }> = [];
  for (let i = 0; i < count; i += batch) {
    const events = Array.from({ length: Math.min(batch, count - i) }, () => makeEvent(`insider-${tag}`, w.sent++));
    const r = await fetchFresh(`${w.server!.url}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${w.ingestKey}`, "content-type": "application/json" },
      body: JSON.stringify(events),
    });
    const j = (await r.json()) as { accepted?: Array<{ seq: number; leafHash: string }> };
    if (r.status !== 201 || !j.accepted) throw new Error(`ingest answered ${r.status}: ${JSON.stringify(j)}`);
    out.push(...j.accepted);
  }
  return out;
}

/** The served checkpoint: its size if signed by `vkey` (else -1) and whether the witness cosigned it. */
export async function served(w: World, vkey = w.logKey.vkey): Promise<{ size: number; cosigned: boolean }> {
  const cp = await servedCheckpoint(w.server!, vkey, [w.witness]);
  return { size: cp.size, cosigned: cp.witnesses.length === 1 };
}

/** Waits (≤ 60 s) for a checkpoint of at least `size` entries, cosigned by the witness. */
export async function covered(w: World, size: number): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const cp = await served(w).catch(() => ({ size: -1, cosigned: false }));
    if (cp.size >= size && cp.cosigned) return cp.size;
    await sleep(200);
  }
  throw new Error(`no cosigned checkpoint covering ${size} entries within 60 s`);
}

/** The tree size the monitor last verified (its state.json). */
export function monitorSeen(w: World): number {
  return (JSON.parse(fs.readFileSync(path.join(w.monitorState, "state.json"), "utf8")) as { size: number }).size;
}

export type MonitorRun = { status: number | null; problem: string; out: string };

/** The auditor's `ledgerline monitor --once`, a process of its own, on its kept state. */
export function monitor(w: World): MonitorRun {
  const args = ["monitor", "--once", "--url", `${w.server!.url}/tlog`, "--key", w.logKey.vkey];
  args.push("--witness", w.witness.vkey, "--state", w.monitorState, "--token", w.token);
  args.push("--webhook", `${w.receiver.url}/monitor`, "--webhook-secret-file", w.monitorKey.file);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", timeout: 180_000 });
  const problem = /PROBLEM (.*)/.exec(r.stdout)?.[1] ?? /OK: .*/.exec(r.stdout)?.[0] ?? r.stderr.slice(0, 300);
  return { status: r.status, problem, out: r.stdout };
}

/**
 * Waits (≤ 60 s) for a webhook on `path` whose JSON body matches `pred`, and checks its
 * Ed25519 signature with `vkey` (the monitor's key, or the log key the server holds).
 */
export async function alert(
  w: World,
  pathName: "/monitor" | "/server",
  vkey: string,
  pred: (b: Record<string, unknown>) => boolean,
): Promise<{ body: Record<string, unknown>; signed: boolean } | null> {
  const key = parseVerifierKey(vkey).publicKey;
  for (let i = 0; i < 300; i++) {
    for (const r of w.receiver.got) {
      if (r.path !== pathName) continue;
      const body = JSON.parse(r.body) as Record<string, unknown>;
      if (!pred(body)) continue;
      return { body, signed: !!r.signature && verifyWebhookBody(r.body, r.signature, key) };
    }
    await sleep(200);
  }
  return null;
}

export type Db = Database.Database;

/** The insider's own connection to the store. */
export function openDb(w: World): Db {
  const db = new Database(path.join(w.store.dataDir, "ledgerline.db"));
  db.pragma("busy_timeout = 10000");
  return db;
}

/** Runs `fn` with the append-only triggers dropped, then puts them back exactly (the server checks them at start). */
export function withoutGuards(db: Db, fn: () => void): void {
  const triggers = db
    .prepare(
      `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (${GUARDED.map(() => "?").join(",")})`,
    )
    .all(...GUARDED) as Array<{ name: string; sql: string }>;
  for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
  try {
    fn();
  } finally {
    for (const t of triggers) db.exec(t.sql);
  }
}

/** What the insider deletes so the server's own memory of the tree does not give it away. */
export function forgetVerifierState(w: World): string[] {
  const gone = fs.readdirSync(w.store.dataDir).filter((f) => /verifier|seen|state/.test(f));
  for (const f of gone) fs.rmSync(path.join(w.store.dataDir, f), { recursive: true, force: true });
  return gone;
}

/** Deletes entries, stored subtree hashes, checkpoints and their cosignatures beyond `size`. */
export function truncateTo(db: Db, size: number): void {
  db.prepare("DELETE FROM entries WHERE seq > ?").run(size);
  const nodes = db.prepare("SELECT level, idx FROM merkle_nodes").all() as Array<{ level: number; idx: number }>;
  const del = db.prepare("DELETE FROM merkle_nodes WHERE level = ? AND idx = ?");
  for (const n of nodes) if ((n.idx + 1) * 2 ** n.level > size) del.run(n.level, n.idx);
  const cps = db.prepare("SELECT tree_size FROM checkpoints WHERE tree_size > ?").all(size) as Array<{
    tree_size: number;
  }>;
  if (cps.length) db.prepare("DELETE FROM cosignatures WHERE tree_size > ?").run(size);
  db.prepare("DELETE FROM checkpoints WHERE tree_size > ?").run(size);
}

/** Stops the server, lets the insider work on the store, starts it again. */
export async function offline(w: World, fn: (db: Db) => void, env: Record<string, string> = {}): Promise<void> {
  if (w.server) await stopServer(w.server);
  w.server = null;
  const db = openDb(w);
  try {
    fn(db);
  } finally {
    db.close();
  }
  w.server = await startServer(w.store, { ...serverEnv(w), ...env });
}
export function expectMonitor(w: World, name: string, code: number, text: RegExp): string {
  const r = monitor(w);
  w.checks.check(
    `insider: ${name}: monitor exit ${code}`,
    r.status === code && text.test(r.problem),
    `exit ${r.status}: ${r.problem}`,
  );
  w.say(`  monitor (exit ${r.status}): ${r.problem}`);
  return r.problem;
}

export async function expectAlert(
  w: World,
  name: string,
  from: "/monitor" | "/server",
  vkey: string,
  pred: (b: Record<string, unknown>) => boolean,
): Promise<void> {
  const a = await alert(w, from, vkey, pred);
  w.checks.check(
    `insider: ${name}: signed webhook from the ${from.slice(1)}`,
    !!a && a.signed,
    JSON.stringify(a?.body ?? "none"),
  );
  if (a) {
    const b = a.body;
    w.say(
      `  webhook ${from} (signature ${a.signed ? "verified" : "BAD"}): ${b.type} kind=${b.kind} ${String(b.reason ?? b.detail ?? "").slice(0, 240)}`,
    );
  }
}
