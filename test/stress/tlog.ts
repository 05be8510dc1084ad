// Trust beyond the operator: the standalone monitor (a separate process, reading only the
// public tlog-tiles API of a real `next start` server) against an insider who holds the
// database and the signing key. The insider drops the append-only triggers, as one would,
// and tampers through a second database connection. Properties (each fails for real):
//   - an honest log passes, first pass and incremental, with and without a read token;
//   - a missing witness quorum is named (exit 11);
//   - an entry rewritten behind the tree (leaf hash kept) is caught with a read token (15),
//     and the same monitor passes again once it is put back;
//   - an entry rewritten with its leaf hash is caught as rewritten history by a monitor that
//     saw it (17) and as a root mismatch by a new one (14);
//   - deleting published entries and checkpoints is a rollback (12); the log then
//     growing again on other entries, re-signed with the real key, is a fork (13);
//   - a checkpoint signed by a swapped key is refused (10);
//   - entries the signed tree needs going missing is truncation (16).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  canonicalJson,
  generateSigningKey,
  hashLeaf,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  signerKeyString,
  utf8,
  verifierKeyString,
} from "@/lib/core/index.ts";
import { cosignerVerifierKey, decodeEntryBundle, generateCosignerKey } from "@/lib/core/tlog/index.ts";
import {
  Checks,
  createIngestKey,
  createReadToken,
  log,
  makeEvent,
  postBatch,
  root,
  runCli,
  sleep,
  startServer,
  stopServer,
  type Server,
  type Store,
} from "./support.ts";

const SOURCE = "spiffe://stress.example/ns/tlog/sa/writer";
const cli = path.join(root, "bin/ledgerline.mjs");

export type TlogReport = { dialect: string; monitorRuns: number; treeSize: number };

type Attacker = { exec(sql: string, params?: unknown[]): Promise<unknown[]>; close(): Promise<void> };

async function attacker(store: Store, adminUrl?: string): Promise<Attacker> {
  if (store.dialect === "sqlite") {
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(path.join(store.dataDir, "ledgerline.db"));
    db.pragma("busy_timeout = 10000");
    return {
      async exec(sql, params = []) {
        const s = db.prepare(sql);
        return s.reader ? s.all(...params) : (s.run(...params), []);
      },
      async close() {
        db.close();
      },
    };
  }
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  return {
    async exec(sql, params = []) {
      return (await c.query(sql, params)).rows;
    },
    async close() {
      await c.end();
    },
  };
}

/** What an insider with the database does first: switch off the append-only guards. */
async function dropGuards(a: Attacker, dialect: Store["dialect"]): Promise<void> {
  if (dialect === "postgres") {
    for (const t of ["entries", "merkle_nodes", "checkpoints"]) await a.exec(`ALTER TABLE ${t} DISABLE TRIGGER USER`);
    return;
  }
  for (const t of ["entries", "merkle_nodes", "checkpoints"])
    for (const op of ["update", "delete"]) await a.exec(`DROP TRIGGER IF EXISTS ${t}_no_${op}`);
}

export async function runTlog(checks: Checks, store: Store, adminUrl?: string): Promise<TlogReport> {
  const tag = store.dialect;
  const dirs: string[] = [];
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-monitor-"));
    dirs.push(d);
    return d;
  };
  let runs = 0;
  let server: Server | null = null;
  const key = createIngestKey(store, SOURCE);
  const token = createReadToken(store, "auditor");
  try {
    server = await startServer(store, {
      LEDGERLINE_CHECKPOINT_INTERVAL: "1",
      LEDGERLINE_CHECKPOINT_EVERY: "1000000",
      LEDGERLINE_VERIFY_INTERVAL: "0",
    });
    const url = `${server.url}/tlog`;
    const vkey = (JSON.parse(runCli(store, ["signing-key", "show", "--json"]).stdout) as { verifierKey: string })
      .verifierKey;
    let n = 0;
    const ingest = async (count: number, prefix = "honest") => {
      for (let i = 0; i < count; i += 200) {
        const batch = Array.from({ length: Math.min(200, count - i) }, () => makeEvent(`tlog-${tag}-${prefix}`, n++));
        const r = await postBatch(server!.url, key, batch);
        if (r.status !== 201 && r.status !== 200) throw new Error(`ingest answered ${r.status}: ${r.error}`);
      }
    };
    const checkpoint = async (): Promise<{ size: number; note: string }> => {
      const note = await (await fetch(`${url}/checkpoint`)).text();
      const opened = openNote(note, [parseVerifierKey(vkey)]);
      return { size: opened.ok ? parseCheckpoint(opened.text).size : -1, note };
    };
    /** Waits for a checkpoint covering `size` entries (the server signs every second). */
    const covered = async (size: number): Promise<number> => {
      for (let i = 0; i < 300; i++) {
        const cp = await checkpoint();
        if (cp.size >= size) return cp.size;
        await sleep(200);
      }
      throw new Error(`no checkpoint covering ${size} entries within 60 s`);
    };
    const monitor = (state: string, extra: string[] = []) => {
      runs++;
      const r = spawnSync(
        process.execPath,
        [cli, "monitor", "--once", "--url", url, "--key", vkey, "--state", state, ...extra],
        {
          cwd: root,
          encoding: "utf8",
          timeout: 180_000,
        },
      );
      const problem = /PROBLEM (.*)/.exec(r.stdout)?.[1] ?? /OK: .*/.exec(r.stdout)?.[0] ?? r.stderr.slice(0, 300);
      return { status: r.status, detail: `exit ${r.status}: ${problem}` };
    };
    const expectExit = (name: string, r: { status: number | null; detail: string }, code: number) =>
      checks.check(`${tag}: ${name} (exit ${code})`, r.status === code, r.detail);

    // The API answers for itself, cookies or not (proxy.ts never redirects it to the sign-in page).
    for (const [p, status] of [
      ["/tlog", 404],
      ["/tlog/tile/0/5", 400],
      ["/tlog/tile/entries/000.p/1", 401],
    ] as const) {
      const r = await fetch(`${server.url}${p}`, { redirect: "manual" });
      checks.check(
        `${tag}: GET ${p} answers ${status} problem+json`,
        r.status === status && r.headers.get("content-type") === "application/problem+json",
        `${r.status} ${r.headers.get("content-type")}`,
      );
    }

    // --- An honest log.
    await ingest(600);
    const s1 = await covered(600);
    const withToken = tmp();
    const withoutToken = tmp();
    expectExit("honest log, first pass, entries rehashed", monitor(withToken, ["--token", token]), 0);
    expectExit("honest log, first pass, tiles only", monitor(withoutToken), 0);
    const stranger = cosignerVerifierKey("w.example", generateCosignerKey("w.example").publicKey);
    expectExit("a witness that never cosigned: quorum lost", monitor(tmp(), ["--witness", stranger]), 11);
    await ingest(300);
    const s2 = await covered(s1 + 300);
    expectExit("honest growth, consistency proven", monitor(withToken, ["--token", token]), 0);
    expectExit("honest growth, tiles only", monitor(withoutToken), 0);

    // --- An entry rewritten behind the tree: its columns change, its leaf hash is kept.
    const a = await attacker(store, adminUrl);
    try {
      await dropGuards(a, store.dialect);
      const before = (await a.exec("SELECT action, leaf_hash FROM entries WHERE seq = 10")) as Array<{
        action: string;
        leaf_hash: Uint8Array;
      }>;
      await a.exec("UPDATE entries SET action = 'DELETE rows' WHERE seq = 10");
      expectExit("rewritten entry, monitor that saw it, read token", monitor(withToken, ["--token", token]), 15);
      expectExit("rewritten entry, new monitor, read token", monitor(tmp(), ["--token", token]), 15);
      checks.check(
        `${tag}: without a read token the rewritten columns are invisible (leaf hashes unchanged)`,
        monitor(withoutToken).status === 0,
      );
      // … and with its leaf hash recomputed, as a careful insider would.
      const bundle = await fetch(`${url}/tile/entries/000`, { headers: { authorization: `Bearer ${token}` } });
      const tenth = JSON.parse(
        new TextDecoder().decode(decodeEntryBundle(new Uint8Array(await bundle.arrayBuffer()))[9]!),
      );
      const leaf = hashLeaf(utf8(canonicalJson(tenth)));
      await a.exec(`UPDATE entries SET leaf_hash = ${store.dialect === "postgres" ? "$1" : "?"} WHERE seq = 10`, [
        Buffer.from(leaf),
      ]);
      expectExit("rewritten leaf hash, monitor that saw the tile", monitor(withoutToken), 17);
      expectExit("rewritten leaf hash, new monitor", monitor(tmp()), 14);
      // Put back: the same monitors pass again, so what they caught was the tampering.
      const p = store.dialect === "postgres" ? ["$1", "$2"] : ["?", "?"];
      await a.exec(`UPDATE entries SET action = ${p[0]}, leaf_hash = ${p[1]} WHERE seq = 10`, [
        before[0]!.action,
        Buffer.from(before[0]!.leaf_hash),
      ]);
      expectExit("entry put back, monitor passes again", monitor(withToken, ["--token", token]), 0);

      // --- Rollback: delete published entries, subtree hashes and checkpoints back to s1.
      const s2now = (await checkpoint()).size;
      // Entries and subtree hashes first: in between, the server refuses to sign (a rollback).
      await a.exec(`DELETE FROM entries WHERE seq > ${s1}`);
      const nodes = (await a.exec("SELECT level, idx FROM merkle_nodes")) as Array<{ level: number; idx: number }>;
      for (const r of nodes) {
        if ((Number(r.idx) + 1) * 2 ** Number(r.level) > s1)
          await a.exec(`DELETE FROM merkle_nodes WHERE level = ${Number(r.level)} AND idx = ${Number(r.idx)}`);
      }
      await a.exec(`DELETE FROM checkpoints WHERE tree_size > ${s1}`);
      const rolled = (await checkpoint()).size;
      checks.check(`${tag}: the server now serves the older checkpoint`, rolled < s2now, `${rolled} < ${s2now}`);
      expectExit("rollback of published checkpoints", monitor(withToken, ["--token", token]), 12);
      // --- Fork: the log grows again on other entries; the server re-signs with the real key.
      await ingest(s2now - s1 + 300, "forked");
      await covered(s2now + 1);
      expectExit("re-signed different history (fork)", monitor(withToken, ["--token", token]), 13);
      expectExit("the forked log on its own looks consistent to a new monitor", monitor(tmp()), 0);
    } finally {
      await a.close();
    }

    // --- A swapped signing key: the insider replaces the key file; the server signs with it.
    const name = parseVerifierKey(vkey).name;
    const swapped = generateSigningKey(name);
    const keyFile = path.join(store.dataDir, "signing-key");
    fs.writeFileSync(`${keyFile}.new`, `${signerKeyString(name, swapped.seed)}\n`, { mode: 0o600 });
    fs.renameSync(`${keyFile}.new`, keyFile);
    await ingest(5, "after-swap");
    for (let i = 0; i < 150 && (await checkpoint()).size !== -1; i++) await sleep(200);
    expectExit("checkpoint signed by a swapped key", monitor(tmp()), 10);

    // --- Truncation: entries the signed tree covers disappear.
    const b = await attacker(store, adminUrl);
    try {
      await b.exec("DELETE FROM entries WHERE seq = 300");
    } finally {
      await b.close();
    }
    runs++;
    const newKey = verifierKeyString(name, swapped.publicKey);
    const trunc = spawnSync(
      process.execPath,
      [cli, "monitor", "--once", "--url", url, "--key", newKey, "--state", tmp()],
      { cwd: root, encoding: "utf8", timeout: 180_000 },
    );
    expectExit("entries withheld (truncation)", { status: trunc.status, detail: trunc.stdout.slice(-300) }, 16);
    return { dialect: tag, monitorRuns: runs, treeSize: s2 };
  } finally {
    if (server) await stopServer(server);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    log(`tlog ${tag}: ${runs} monitor runs`);
  }
}
