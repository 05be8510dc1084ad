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
//   - a swapped key file is refused by the server: nothing is signed with it;
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
} from "@/lib/core/index.ts";
import { cosignerVerifierKey, decodeEntryBundle, generateCosignerKey } from "@/lib/core/tlog/index.ts";
import {
  Checks,
  createIngestKey,
  createReadToken,
  fetchFresh,
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
import { openAttacker, type Attacker } from "../support/raw-store.ts";

const SOURCE = "spiffe://stress.example/ns/tlog/sa/writer";
const cli = path.join(root, "bin/ledgerline.mjs");

export type TlogReport = { dialect: string; monitorRuns: number; treeSize: number };

function attacker(store: Store, adminUrl?: string): Promise<Attacker> {
  return openAttacker(
    store.dialect === "sqlite" ? { sqliteFile: path.join(store.dataDir, "ledgerline.db") } : { postgresUrl: adminUrl! },
  );
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

/** One dialect's run: the server, its public keys, and the helpers every phase uses. */
class TlogRun {
  runs = 0;
  private n = 0;
  private dirs: string[] = [];
  readonly url: string;
  constructor(
    readonly checks: Checks,
    readonly store: Store,
    readonly server: Server,
    readonly key: string,
    readonly token: string,
    readonly vkey: string,
  ) {
    this.url = `${server.url}/tlog`;
  }
  get tag() {
    return this.store.dialect;
  }
  tmp(): string {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-monitor-"));
    this.dirs.push(d);
    return d;
  }
  removeDirs() {
    for (const d of this.dirs) fs.rmSync(d, { recursive: true, force: true });
  }
  async ingest(count: number, prefix = "honest") {
    for (let i = 0; i < count; i += 200) {
      const batch = Array.from({ length: Math.min(200, count - i) }, () =>
        makeEvent(`tlog-${this.tag}-${prefix}`, this.n++),
      );
      const r = await postBatch(this.server.url, this.key, batch);
      if (r.status !== 201 && r.status !== 200) throw new Error(`ingest answered ${r.status}: ${r.error}`);
    }
  }
  /** The served checkpoint's size, -1 when the published key did not sign it. */
  async checkpoint(): Promise<{ size: number; note: string }> {
    const note = await (await fetchFresh(`${this.url}/checkpoint`)).text();
    const opened = openNote(note, [parseVerifierKey(this.vkey)]);
    return { size: opened.ok ? parseCheckpoint(opened.text).size : -1, note };
  }
  /** Waits for a checkpoint covering `size` entries (the server signs every second). */
  async covered(size: number): Promise<number> {
    for (let i = 0; i < 300; i++) {
      const cp = await this.checkpoint();
      if (cp.size >= size) return cp.size;
      await sleep(200);
    }
    throw new Error(`no checkpoint covering ${size} entries within 60 s`);
  }
  /** One `ledgerline monitor --once` pass, as a separate process. */
  monitorRaw(state: string, extra: string[] = []) {
    this.runs++;
    return spawnSync(
      process.execPath,
      [cli, "monitor", "--once", "--url", this.url, "--key", this.vkey, "--state", state, ...extra],
      { cwd: root, encoding: "utf8", timeout: 180_000 },
    );
  }
  monitor(state: string, extra: string[] = []) {
    const r = this.monitorRaw(state, extra);
    const problem = /PROBLEM (.*)/.exec(r.stdout)?.[1] ?? /OK: .*/.exec(r.stdout)?.[0] ?? r.stderr.slice(0, 300);
    return { status: r.status, detail: `exit ${r.status}: ${problem}` };
  }
  expectExit(name: string, r: { status: number | null; detail: string }, code: number) {
    this.checks.check(`${this.tag}: ${name} (exit ${code})`, r.status === code, r.detail);
  }
}

/** Monitor state directories that followed the honest log, with and without a read token. */
type Followers = { withToken: string; withoutToken: string; s1: number; s2: number };

export async function runTlog(checks: Checks, store: Store, adminUrl?: string): Promise<TlogReport> {
  let run: TlogRun | null = null;
  let server: Server | null = null;
  const key = createIngestKey(store, SOURCE);
  const token = createReadToken(store, "auditor");
  try {
    server = await startServer(store, {
      LEDGERLINE_CHECKPOINT_INTERVAL: "1",
      LEDGERLINE_CHECKPOINT_EVERY: "1000000",
      LEDGERLINE_VERIFY_INTERVAL: "0",
    });
    const vkey = (JSON.parse(runCli(store, ["signing-key", "show", "--json"]).stdout) as { verifierKey: string })
      .verifierKey;
    run = new TlogRun(checks, store, server, key, token, vkey);
    await checkProblemAnswers(run);
    const f = await followHonestLog(run);
    const a = await attacker(store, adminUrl);
    try {
      await dropGuards(a, store.dialect);
      await rewriteEntry(run, a, f);
      await rollBackAndFork(run, a, f);
    } finally {
      await a.close();
    }
    await swapSigningKey(run);
    await truncate(run, adminUrl);
    return { dialect: store.dialect, monitorRuns: run.runs, treeSize: f.s2 };
  } finally {
    if (server) await stopServer(server);
    run?.removeDirs();
    log(`tlog ${store.dialect}: ${run?.runs ?? 0} monitor runs`);
  }
}

/** The API answers for itself, cookies or not (proxy.ts never redirects it to the sign-in page). */
async function checkProblemAnswers(run: TlogRun) {
  for (const [p, status] of [
    ["/tlog", 404],
    ["/tlog/tile/0/5", 400],
    ["/tlog/tile/entries/000.p/1", 401],
  ] as const) {
    const r = await fetchFresh(`${run.server.url}${p}`, { redirect: "manual" });
    run.checks.check(
      `${run.tag}: GET ${p} answers ${status} problem+json`,
      r.status === status && r.headers.get("content-type") === "application/problem+json",
      `${r.status} ${r.headers.get("content-type")}`,
    );
  }
}

// --- An honest log.
async function followHonestLog(run: TlogRun): Promise<Followers> {
  const { token } = run;
  await run.ingest(600);
  const s1 = await run.covered(600);
  const withToken = run.tmp();
  const withoutToken = run.tmp();
  run.expectExit("honest log, first pass, entries rehashed", run.monitor(withToken, ["--token", token]), 0);
  run.expectExit("honest log, first pass, tiles only", run.monitor(withoutToken), 0);
  const stranger = cosignerVerifierKey("w.example", generateCosignerKey("w.example").publicKey);
  run.expectExit("a witness that never cosigned: quorum lost", run.monitor(run.tmp(), ["--witness", stranger]), 11);
  await run.ingest(300);
  const s2 = await run.covered(s1 + 300);
  run.expectExit("honest growth, consistency proven", run.monitor(withToken, ["--token", token]), 0);
  run.expectExit("honest growth, tiles only", run.monitor(withoutToken), 0);
  return { withToken, withoutToken, s1, s2 };
}

// --- An entry rewritten behind the tree: its columns change, its leaf hash is kept.
async function rewriteEntry(run: TlogRun, a: Attacker, { withToken, withoutToken }: Followers) {
  const { token, store } = run;
  const before = (await a.exec("SELECT action, leaf_hash FROM entries WHERE seq = 10")) as Array<{
    action: string;
    leaf_hash: Uint8Array;
  }>;
  await a.exec("UPDATE entries SET action = 'DELETE rows' WHERE seq = 10");
  run.expectExit("rewritten entry, monitor that saw it, read token", run.monitor(withToken, ["--token", token]), 15);
  run.expectExit("rewritten entry, new monitor, read token", run.monitor(run.tmp(), ["--token", token]), 15);
  run.checks.check(
    `${run.tag}: without a read token the rewritten columns are invisible (leaf hashes unchanged)`,
    run.monitor(withoutToken).status === 0,
  );
  // … and with its leaf hash recomputed, as a careful insider would.
  const bundle = await fetchFresh(`${run.url}/tile/entries/000`, { headers: { authorization: `Bearer ${token}` } });
  const tenth = JSON.parse(new TextDecoder().decode(decodeEntryBundle(new Uint8Array(await bundle.arrayBuffer()))[9]!));
  const leaf = hashLeaf(utf8(canonicalJson(tenth)));
  await a.exec(`UPDATE entries SET leaf_hash = ${store.dialect === "postgres" ? "$1" : "?"} WHERE seq = 10`, [
    Buffer.from(leaf),
  ]);
  run.expectExit("rewritten leaf hash, monitor that saw the tile", run.monitor(withoutToken), 17);
  run.expectExit("rewritten leaf hash, new monitor", run.monitor(run.tmp()), 14);
  // Put back: the same monitors pass again, so what they caught was the tampering.
  const p = store.dialect === "postgres" ? ["$1", "$2"] : ["?", "?"];
  await a.exec(`UPDATE entries SET action = ${p[0]}, leaf_hash = ${p[1]} WHERE seq = 10`, [
    before[0]!.action,
    Buffer.from(before[0]!.leaf_hash),
  ]);
  run.expectExit("entry put back, monitor passes again", run.monitor(withToken, ["--token", token]), 0);
}

// --- Rollback: delete published entries, subtree hashes and checkpoints back to s1.
async function rollBackAndFork(run: TlogRun, a: Attacker, { withToken, s1 }: Followers) {
  const { token } = run;
  const s2now = (await run.checkpoint()).size;
  // Entries and subtree hashes first: in between, the server refuses to sign (a rollback).
  await a.exec(`DELETE FROM entries WHERE seq > ${s1}`);
  const nodes = (await a.exec("SELECT level, idx FROM merkle_nodes")) as Array<{ level: number; idx: number }>;
  for (const r of nodes) {
    if ((Number(r.idx) + 1) * 2 ** Number(r.level) > s1)
      await a.exec(`DELETE FROM merkle_nodes WHERE level = ${Number(r.level)} AND idx = ${Number(r.idx)}`);
  }
  await a.exec(`DELETE FROM checkpoints WHERE tree_size > ${s1}`);
  const rolled = (await run.checkpoint()).size;
  run.checks.check(`${run.tag}: the server now serves the older checkpoint`, rolled < s2now, `${rolled} < ${s2now}`);
  run.expectExit("rollback of published checkpoints", run.monitor(withToken, ["--token", token]), 12);
  // --- Fork: the log grows again on other entries; the server re-signs with the real key.
  await run.ingest(s2now - s1 + 300, "forked");
  await run.covered(s2now + 1);
  run.expectExit("re-signed different history (fork)", run.monitor(withToken, ["--token", token]), 13);
  run.expectExit("the forked log on its own looks consistent to a new monitor", run.monitor(run.tmp()), 0);
}

// --- A swapped signing key: the insider replaces the key file. The running server reloads
// it before its next checkpoint and refuses it (no rotation statement chains it to the key
// of the latest checkpoint): nothing is signed with it, the published key stays the last signer.
async function swapSigningKey(run: TlogRun) {
  const name = parseVerifierKey(run.vkey).name;
  const swapped = generateSigningKey(name);
  const keyFile = path.join(run.store.dataDir, "signing-key");
  const original = fs.readFileSync(keyFile, "utf8");
  const before = await run.checkpoint();
  fs.writeFileSync(`${keyFile}.new`, `${signerKeyString(name, swapped.seed)}\n`, { mode: 0o600 });
  fs.renameSync(`${keyFile}.new`, keyFile);
  await run.ingest(5, "after-swap");
  await sleep(4000); // four checkpoint intervals
  const after = await run.checkpoint();
  run.checks.check(
    `${run.tag}: a swapped key file signs nothing (the server refuses it)`,
    after.size !== -1 && after.size === before.size,
    `latest checkpoint by the published key: ${before.size} before, ${after.size} after (-1: signed by another key)`,
  );
  fs.writeFileSync(`${keyFile}.new`, original, { mode: 0o600 });
  fs.renameSync(`${keyFile}.new`, keyFile);
  await run.covered(before.size + 5);
}

// --- Truncation: entries the signed tree covers disappear.
async function truncate(run: TlogRun, adminUrl: string | undefined) {
  const b = await attacker(run.store, adminUrl);
  try {
    await b.exec("DELETE FROM entries WHERE seq = 300");
  } finally {
    await b.close();
  }
  const trunc = run.monitorRaw(run.tmp());
  run.expectExit("entries withheld (truncation)", { status: trunc.status, detail: trunc.stdout.slice(-300) }, 16);
}
