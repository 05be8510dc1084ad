// npm run tamper-demo — what the verifier says about each way an attacker with
// file access could change the log. Builds the demo store in a temp dir (as
// LEDGERLINE_DEMO=on does on a first start), signs a checkpoint, appends an
// unsigned tail, verifies once, then for each tamper class: copies the database
// (WAL folded in first) and the data dir's key files, drops the append-only
// triggers on the copy, breaks it with raw SQL, and runs the real
// `ledgerline verify-log --json` on the copy (triggers restored afterwards, as a
// careful attacker would, so only the content can give the change away). One line per class. Exit 0 when
// every tampered copy was reported broken and the intact one passed, else 1
// (classes the remembered-state verifier is needed for are marked, not failed).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { entryLeafHash, formatCheckpoint, generateSigningKey, signNote } from "@/lib/core/index.ts";
import { loadConfig } from "@/lib/server/config.ts";
import { seedDemo } from "@/lib/server/demo.ts";
import { openLedger, type Ledger } from "@/lib/server/ledger/ledger.ts";
import { rowToEntry, type EntryRow } from "@/lib/server/ledger/entry.ts";
import { verifyLog } from "@/lib/server/ledger/verify.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "bin/ledgerline.mjs");
const ORIGIN = "demo.ledgerline.dev/tamper-demo";
const TAIL = 25;

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

/** The richer verifier, when lib/server/integrity exists: its `kind` beside verify-log's verdict. */
async function integrityVerifier(): Promise<((dataDir: string) => Promise<string>) | null> {
  const file = path.join(root, "lib/server/integrity/index.ts");
  if (!fs.existsSync(file)) return null;
  const mod = (await import(file)) as {
    runVerification?: (
      ledger: Ledger,
      opts: { mode: "full" | "incremental"; alert?: boolean },
    ) => Promise<{ kind?: string | null; ok?: boolean }>;
  };
  if (typeof mod.runVerification !== "function") return null;
  return async (dataDir) => {
    // Forensic open: the copy's guards are gone, so no openLedger; the verifier gets what it needs.
    const ledger = await openLedger(loadConfig(envFor(dataDir) as Record<string, string>)).catch(() => null);
    if (!ledger) return "n/a (store refuses to open)";
    try {
      // Incremental, as the server's schedule runs it: compares with the remembered state first.
      const r = await mod.runVerification!(ledger, { mode: "incremental", alert: false });
      return r.kind ?? (r.ok ? "ok" : "?");
    } finally {
      await ledger.close();
    }
  };
}

async function main(): Promise<number> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-tamper-"));
  try {
    const baseDir = path.join(tmp, "base");
    const config = loadConfig(envFor(baseDir) as Record<string, string>);
    const ledger = await openLedger({ ...config, demo: true });
    await seedDemo(ledger, () => undefined);
    const first = await ledger.sequencer.checkpoint();
    // A second checkpoint, then an unsigned tail: room for rollback and truncation.
    const { validateEvent } = await import("@/lib/schemas/event.ts");
    const more = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => {
        const r = validateEvent({
          id: `${tag}-${i}`,
          timestamp: new Date().toISOString(),
          eventType: "read",
          requester: { id: "spiffe://demo.ledgerline.dev/ns/shop/sa/orders", type: "service" },
          target: { id: "db://payments-pg/cardholder.cards", type: "db" },
          action: "SELECT cards",
          outcome: "success",
        });
        if (!r.ok) throw new Error("fixture");
        return r.event;
      });
    await ledger.sequencer.append("spiffe://demo.ledgerline.dev/ns/shop/sa/orders", more(60, "late"));
    await ledger.sequencer.checkpoint();
    await ledger.sequencer.append("spiffe://demo.ledgerline.dev/ns/shop/sa/orders", more(TAIL, "tail"));
    const key = await ledger.signingKey();
    const checkpoints = (
      await ledger.db.all<{ tree_size: number }>("SELECT tree_size FROM checkpoints ORDER BY tree_size")
    ).map((c) => Number(c.tree_size));
    const size = ledger.sequencer.size;
    // One verification pass, so a verifier with memory has seen the full log.
    const keys = (
      await ledger.db.all<{ name: string; public_key: Uint8Array }>("SELECT name, public_key FROM signing_keys")
    ).map((r) => ({ name: r.name, publicKey: new Uint8Array(r.public_key) }));
    const intact = await verifyLog(ledger.db, { origin: ORIGIN, verifiers: keys });
    const richer = await integrityVerifier();
    if (richer) {
      const { runVerification } = (await import(path.join(root, "lib/server/integrity/index.ts"))) as {
        runVerification: (l: Ledger, o?: object) => Promise<unknown>;
      };
      await runVerification(ledger, { mode: "full", alert: false });
    }
    await ledger.close();
    if (!intact.ok) throw new Error(`the fresh demo store does not verify: ${intact.reason}`);
    // Fold the WAL into the main file so a file copy is the whole database.
    const dbFile = path.join(baseDir, "ledgerline.db");
    const side = new Database(dbFile);
    side.pragma("wal_checkpoint(TRUNCATE)");
    side.close();

    const base: Base = { size, checkpoints, keySeed: key.seed, keyName: key.name };
    console.log(
      `demo store: ${size} entries (${first ? "" : "no "}checkpoints at ${checkpoints.join(", ")}; ${TAIL} unsigned after the last), key ${key.keyIdHex}, origin ${ORIGIN}`,
    );
    console.log(
      `verifier: ledgerline verify-log --json${richer ? " + runVerification (lib/server/integrity)" : " (lib/server/integrity not present: remembered-state checks not shown)"}`,
    );
    console.log("");

    let failures = 0;
    const rows: string[] = [];
    const line = (name: string, did: string, v: Verdict, extra = "") =>
      `${name.padEnd(20)} ${did}\n${"".padEnd(20)} → ${v.ok ? "ok" : "BROKEN"}  firstBadSeq=${v.firstBadSeq ?? "-"}  ${v.reason ?? `treeSize ${v.treeSize}`}${extra}`;
    const control = path.join(tmp, "intact");
    fs.cpSync(baseDir, control, { recursive: true });
    const cv = verifyCopy(control);
    if (!cv.ok) failures++;
    rows.push(line("(intact copy)", "nothing changed", cv));
    for (const c of CASES) {
      const dir = path.join(tmp, c.name.replace(/\W+/g, "-"));
      fs.cpSync(baseDir, dir, { recursive: true }); // database + signing-key (+ retired-keys)
      const db = new Database(path.join(dir, "ledgerline.db"));
      // A careful attacker: drop the triggers, tamper, put the triggers back
      // (so the guard check passes and only the content can give it away).
      const saved = (
        db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ sql: string }>
      ).map((r) => r.sql);
      for (const t of TRIGGERS) db.exec(`DROP TRIGGER IF EXISTS ${t}`);
      db.transaction(() => c.tamper(db, base))();
      for (const sql of saved) db.exec(sql);
      db.pragma("wal_checkpoint(TRUNCATE)");
      db.close();
      const v = verifyCopy(dir);
      let extra = "";
      if (richer)
        extra = `\n${"".padEnd(20)}   runVerification kind: ${await richer(dir).catch((e: Error) => `error: ${e.message}`)}`;
      if (v.ok && c.needsMemory)
        extra += `\n${"".padEnd(20)}   (undetectable from the file alone: needs the verifier's remembered tree size, kept outside the entries table)`;
      if (v.ok && !c.needsMemory) failures++;
      rows.push(line(c.name, c.did, v, extra));
    }
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
