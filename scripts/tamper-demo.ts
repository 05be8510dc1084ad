// npm run tamper-demo — what the verifier says about each way an attacker with
// file access could change the log. Builds the demo store in a temp dir (as
// LEDGERLINE_DEMO=on does on a first start), signs a checkpoint, appends an
// unsigned tail, verifies once, then for each tamper class: copies the database
// (WAL folded in first) and the data dir's key files, drops the append-only
// triggers on the copy, breaks it with raw SQL, and runs the real
// `ledgerline verify-log --json` on the copy (triggers restored afterwards, as a
// careful attacker would, so only the content can give the change away), and the
// server's remembered-state verifier (lib/server/integrity) on it too. One block per
// class. Exit 0 when every copy the file alone can prove broken was reported broken and
// the intact one passed, else 1 (classes only the remembered state can catch are marked).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { entryLeafHash, formatCheckpoint, generateSigningKey, signNote } from "@/lib/core/index.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { seedDemo } from "@/lib/server/runtime/demo-seed.ts";
import { validateEvent, type NormalizedEvent } from "@/lib/schemas/event.ts";
import { runVerification } from "@/lib/server/integrity/index.ts";
import { openLedger } from "@/lib/server/ledger/ledger.ts";
import { createRuntime } from "@/lib/server/runtime/runtime.ts";
import { rowToEntry, type EntryRow } from "@/lib/server/ledger/entry.ts";
import { verifyLog } from "@/lib/server/ledger/verify.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "bin/ledgerline.mjs");
const ORIGIN = "demo.ledgerline.dev/tamper-demo";
const TAIL = 25;
const DEMO_SOURCE = "spiffe://demo.ledgerline.dev/ns/shop/sa/orders";

type Db = Database.Database;
type Case = { name: string; did: string; tamper(db: Db, base: Base): void; needsMemory?: boolean };
type Base = { size: number; checkpoints: number[]; keySeed: Uint8Array; keyName: string };

const TRIGGERS = [
  "entries_no_update",
  "entries_no_delete",
  "merkle_nodes_no_update",
  "merkle_nodes_no_delete",
  "checkpoints_no_update",
  "checkpoints_no_delete",
];

function envFor(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LEDGERLINE_DATA_DIR: dataDir,
    LEDGERLINE_ORIGIN: ORIGIN,
    LEDGERLINE_DEMO: "off",
    NODE_OPTIONS: "",
  };
  delete env.DATABASE_URL;
  delete env.LEDGERLINE_SIGNING_KEY;
  return env;
}

function allColumnsBut(db: Db, except: string[]): string[] {
  return (db.prepare("PRAGMA table_info(entries)").all() as Array<{ name: string }>)
    .map((c) => c.name)
    .filter((c) => !except.includes(c));
}

const CASES: Case[] = [
  {
    name: "modify",
    did: "UPDATE entry 123: outcome → success, requester → spiffe://innocent",
    tamper: (db) =>
      db
        .prepare(
          "UPDATE entries SET outcome = 'success', reason = NULL, requester_id = 'spiffe://innocent' WHERE seq = 123",
        )
        .run(),
  },
  { name: "delete", did: "DELETE entry 77", tamper: (db) => db.prepare("DELETE FROM entries WHERE seq = 77").run() },
  {
    name: "swap",
    did: "swap entries 200 and 201 (every column but seq, leaf hashes included)",
    tamper: (db) => {
      const cols = allColumnsBut(db, ["seq"]);
      const get = db.prepare(`SELECT ${cols.join(", ")} FROM entries WHERE seq = ?`);
      const a = get.get(200) as Record<string, unknown>;
      const b = get.get(201) as Record<string, unknown>;
      const set = db.prepare(`UPDATE entries SET ${cols.map((c) => `${c} = @${c}`).join(", ")} WHERE seq = @seq`);
      db.prepare("UPDATE entries SET event_id = event_id || '#tmp' WHERE seq IN (200, 201)").run(); // the (source, event_id) unique index
      set.run({ ...b, seq: 200 });
      set.run({ ...a, seq: 201 });
    },
  },
  {
    name: "insert",
    did: "INSERT a forged entry as seq 101 (later seqs shifted up by one; its leaf hash correct)",
    tamper: (db) => {
      const row = db.prepare("SELECT * FROM entries WHERE seq = 100").get() as EntryRow;
      db.prepare("UPDATE entries SET seq = seq + 1000000000 WHERE seq > 100").run();
      db.prepare("UPDATE entries SET seq = seq - 999999999 WHERE seq > 1000000000").run();
      const forged = { ...rowToEntry(row), seq: 101, id: "forged-1", action: "GET /v1/nothing-to-see" };
      db.prepare(
        "INSERT INTO entries (seq, event_id, source, ts, received_at, event_type, requester_id, requester_type, requester_ip, target_id, target_service, target_type, action, outcome, correlation_id, reason, attributes, leaf_hash) " +
          "SELECT 101, 'forged-1', source, ts, received_at, event_type, requester_id, requester_type, requester_ip, target_id, target_service, target_type, 'GET /v1/nothing-to-see', outcome, correlation_id, reason, attributes, ? FROM entries WHERE seq = 100",
      ).run(Buffer.from(entryLeafHash(forged, nodeHasher)));
    },
  },
  {
    name: "truncate tail",
    did: `DELETE the ${TAIL} entries after the last checkpoint`,
    needsMemory: true,
    tamper: (db, base) => db.prepare("DELETE FROM entries WHERE seq > ?").run(base.checkpoints.at(-1)!),
  },
  {
    name: "truncate signed tail",
    did: "DELETE the last 40 entries, the last checkpoint still there",
    tamper: (db, base) => db.prepare("DELETE FROM entries WHERE seq > ?").run(base.checkpoints.at(-1)! - 40),
  },
  {
    name: "rollback",
    did: "DELETE the last checkpoint and every entry after the one before it (and their subtree hashes)",
    needsMemory: true,
    tamper: (db, base) => {
      const keep = base.checkpoints.at(-2)!;
      db.prepare("DELETE FROM checkpoints WHERE tree_size > ?").run(keep);
      db.prepare("DELETE FROM entries WHERE seq > ?").run(keep);
      // Subtree hashes that cover removed entries would give the rollback away.
      db.prepare("DELETE FROM merkle_nodes WHERE (idx + 1) * (1 << level) > ?").run(keep);
    },
  },
  {
    name: "forge (unknown key)",
    did: "INSERT a checkpoint of the whole log signed by an unknown key",
    tamper: (db, base) => {
      const k = generateSigningKey("attacker.example");
      const rootHash = new Uint8Array(32).fill(7);
      const note = signNote(formatCheckpoint({ origin: ORIGIN, size: base.size, rootHash }), [
        { name: k.name, seed: k.seed },
      ]);
      db.prepare("INSERT INTO checkpoints (tree_size, root_hash, note, key_id, created_at) VALUES (?, ?, ?, ?, ?)").run(
        base.size,
        Buffer.from(rootHash),
        note,
        "deadbeef",
        new Date().toISOString(),
      );
    },
  },
  {
    name: "fork",
    did: "INSERT a checkpoint validly signed by the log's own key over a different tree (inconsistent with the earlier ones)",
    tamper: (db, base) => {
      const rootHash = new Uint8Array(32).fill(9);
      const note = signNote(formatCheckpoint({ origin: ORIGIN, size: base.size, rootHash }), [
        { name: base.keyName, seed: base.keySeed },
      ]);
      const keyId = / (\S+)$/m.exec(note.trimEnd())![1]!;
      db.prepare("INSERT INTO checkpoints (tree_size, root_hash, note, key_id, created_at) VALUES (?, ?, ?, ?, ?)").run(
        base.size,
        Buffer.from(rootHash),
        note,
        keyId,
        new Date().toISOString(),
      );
    },
  },
];

type Verdict = { ok: boolean; firstBadSeq: number | null; reason: string | null; treeSize: number };

function verifyCopy(dataDir: string): Verdict {
  const r = spawnSync(process.execPath, [cli, "verify-log", "--json"], {
    cwd: root,
    env: envFor(dataDir),
    encoding: "utf8",
  });
  try {
    return JSON.parse(r.stdout) as Verdict;
  } catch {
    throw new Error(`verify-log gave no JSON (exit ${r.status}): ${r.stderr}${r.stdout}`);
  }
}

/**
 * The server's verifier (lib/server/integrity) on a copy, incremental as its schedule
 * runs it: it compares with the state it remembered from the base store (copied along
 * in verifier-state.json), so it can name what the file alone cannot show.
 */
async function rememberedStateKind(dataDir: string): Promise<string> {
  // The copy's guards were dropped and put back; if the store refuses to open, say so.
  const ledger = await openLedger(loadConfig(envFor(dataDir) as Record<string, string>))
    .then(createRuntime)
    .catch(() => null);
  if (!ledger) return "n/a (store refuses to open)";
  try {
    const r = await runVerification(ledger, { mode: "incremental", alert: false });
    return r.kind ?? (r.ok ? "ok" : "?");
  } finally {
    await ledger.close();
  }
}

function fixtureEvents(n: number, tag: string): NormalizedEvent[] {
  return Array.from({ length: n }, (_, i) => {
    const r = validateEvent({
      id: `${tag}-${i}`,
      timestamp: new Date().toISOString(),
      eventType: "read",
      requester: { id: DEMO_SOURCE, type: "service" },
      target: { id: "db://payments-pg/cardholder.cards", type: "db" },
      action: "SELECT cards",
      outcome: "success",
    });
    if (!r.ok) throw new Error("fixture");
    return r.event;
  });
}

/**
 * The demo store, as a first start seeds it, then a checkpoint, 60 more entries, a second
 * checkpoint and an unsigned tail of TAIL: room for rollback and truncation. Verified once
 * by verify-log and once by the remembered-state verifier, WAL folded into the file.
 */
async function buildBase(baseDir: string): Promise<Base & { first: boolean; keyIdHex: string }> {
  const config = loadConfig(envFor(baseDir) as Record<string, string>);
  const ledger = createRuntime(await openLedger({ ...config, demo: true }));
  try {
    await seedDemo(ledger, () => undefined);
    const first = await ledger.sequencer.checkpoint();
    await ledger.sequencer.append(DEMO_SOURCE, fixtureEvents(60, "late"));
    await ledger.sequencer.checkpoint();
    await ledger.sequencer.append(DEMO_SOURCE, fixtureEvents(TAIL, "tail"));
    const key = await ledger.signingKey();
    const checkpoints = (
      await ledger.db.all<{ tree_size: number }>("SELECT tree_size FROM checkpoints ORDER BY tree_size")
    ).map((c) => Number(c.tree_size));
    const keys = (
      await ledger.db.all<{ name: string; public_key: Uint8Array }>("SELECT name, public_key FROM signing_keys")
    ).map((r) => ({ name: r.name, publicKey: new Uint8Array(r.public_key) }));
    const intact = await verifyLog(ledger.db, { origin: ORIGIN, verifiers: keys });
    if (!intact.ok) throw new Error(`the fresh demo store does not verify: ${intact.reason}`);
    // One full pass, so the verifier with memory has seen the whole log.
    await runVerification(ledger, { mode: "full", alert: false });
    const size = ledger.sequencer.size;
    return { size, checkpoints, keySeed: key.seed, keyName: key.name, first: first !== null, keyIdHex: key.keyIdHex };
  } finally {
    await ledger.close();
    // Fold the WAL into the main file so a file copy is the whole database.
    const side = new Database(path.join(baseDir, "ledgerline.db"));
    side.pragma("wal_checkpoint(TRUNCATE)");
    side.close();
  }
}

/** A copy of the base store changed by `c` as a careful attacker would: triggers dropped, then put back. */
function tamperedCopy(baseDir: string, dir: string, c: Case, base: Base): void {
  fs.cpSync(baseDir, dir, { recursive: true }); // database + signing-key (+ retired-keys, verifier state)
  const db = new Database(path.join(dir, "ledgerline.db"));
  // Put back afterwards, so the guard check passes and only the content can give the change away.
  const saved = (
    db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ sql: string }>
  ).map((r) => r.sql);
  for (const t of TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
  db.transaction(() => c.tamper(db, base))();
  for (const sql of saved) db.exec(sql);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

const line = (name: string, did: string, v: Verdict, extra = "") =>
  `${name.padEnd(20)} ${did}\n${"".padEnd(20)} → ${v.ok ? "ok" : "BROKEN"}  firstBadSeq=${v.firstBadSeq ?? "-"}  ${v.reason ?? `treeSize ${v.treeSize}`}${extra}`;

/** Every case on its own copy: one report row each, and how many were not detected as expected. */
async function runCases(tmp: string, baseDir: string, base: Base): Promise<{ rows: string[]; failures: number }> {
  let failures = 0;
  const rows: string[] = [];
  const control = path.join(tmp, "intact");
  fs.cpSync(baseDir, control, { recursive: true });
  const cv = verifyCopy(control);
  if (!cv.ok) failures++;
  rows.push(line("(intact copy)", "nothing changed", cv));
  for (const c of CASES) {
    const dir = path.join(tmp, c.name.replace(/\W+/g, "-"));
    tamperedCopy(baseDir, dir, c, base);
    const v = verifyCopy(dir);
    const kind = await rememberedStateKind(dir).catch((e: Error) => `error: ${e.message}`);
    let extra = `\n${"".padEnd(20)}   runVerification kind: ${kind}`;
    if (v.ok && c.needsMemory)
      extra += `\n${"".padEnd(20)}   (undetectable from the file alone: needs the verifier's remembered tree size, kept outside the entries table)`;
    if (v.ok && !c.needsMemory) failures++;
    rows.push(line(c.name, c.did, v, extra));
  }
  return { rows, failures };
}

async function main(): Promise<number> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-tamper-"));
  try {
    const baseDir = path.join(tmp, "base");
    const base = await buildBase(baseDir);
    console.log(
      `demo store: ${base.size} entries (${base.first ? "" : "no "}checkpoints at ${base.checkpoints.join(", ")}; ${TAIL} unsigned after the last), key ${base.keyIdHex}, origin ${ORIGIN}`,
    );
    console.log("verifier: ledgerline verify-log --json + runVerification (lib/server/integrity)");
    console.log("");
    const { rows, failures } = await runCases(tmp, baseDir, base);
    console.log(rows.join("\n\n"));
    console.log("");
    console.log(
      failures
        ? `${failures} case(s) NOT detected as expected`
        : "every tampered copy that the file alone can prove broken was reported broken",
    );
    return failures ? 1 : 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[tamper-demo] ${(e as Error).stack ?? e}`);
    process.exit(1);
  },
);
