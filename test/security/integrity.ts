// Issue 13 item 12 replayed against a real `next start` server on its own SQLite
// store: an insider with the database swaps two neighbouring entries (must be
// `reordered`), deletes an old checkpoint (must be named and stay a failure
// until an admin acknowledges it, the acknowledgement in the log), and rewrites
// an old entry in place (an incremental run must find it once its share of the
// coverage period is due). Part of the `security-data` stress suite.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { callJson, securityEvent, signInCookie, withProductionServer } from "./auth-helpers.ts";
import { Checks, cliJson, log, type Server, type Store } from "../stress/support.ts";

type Json = Record<string, unknown>;
type Run = {
  id: string;
  mode: string;
  status: string;
  kind: string | null;
  reason: string | null;
  firstBadSeq: number | null;
};

const SOURCE = "spiffe://security.example/ns/shop/sa/ledger";
const GUARDS = ["entries_no_update", "entries_no_delete", "checkpoints_no_delete", "checkpoints_no_update"];

const call = (server: Server, p: string, init: RequestInit = {}) => callJson(server.url, p, init);

/** SQL as the insider: the append-only triggers dropped, the statements run, the triggers put back exactly. */
function tamper(dbFile: string, ...sql: string[]): void {
  const db = new Database(dbFile);
  db.pragma("busy_timeout = 10000");
  try {
    const triggers = db
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (${GUARDS.map(() => "?").join(",")})`,
      )
      .all(...GUARDS) as Array<{ name: string; sql: string }>;
    db.transaction(() => {
      for (const t of triggers) db.exec(`DROP TRIGGER ${t.name}`);
      for (const s of sql) db.exec(s);
      for (const t of triggers) db.exec(t.sql);
    })();
  } finally {
    db.close();
  }
}

/** The first run started after `since` (ISO) that finished, polled (the scheduler runs every second). */
async function runAfter(server: Server, token: string, since: string, pred: (r: Run) => boolean = () => true) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const s = await call(server, "/api/v1/integrity", { headers: { authorization: `Bearer ${token}` } });
    const runs = (s.body.runs ?? []) as Array<Run & { startedAt: string }>;
    const r = runs.find((x) => x.startedAt > since && x.status !== "running" && pred(x));
    if (r) return { run: r, status: s.body };
    await new Promise((res) => setTimeout(res, 500));
  }
  return { run: null, status: null };
}

export async function runSecurityIntegrity(c: Checks, dataDir: string, secret: string): Promise<void> {
  const store: Store = { dialect: "sqlite", dataDir };
  await withProductionServer(
    store,
    secret,
    { LEDGERLINE_VERIFY_INTERVAL: "1", LEDGERLINE_VERIFY_COVERAGE: "1", LEDGERLINE_CHECKPOINT_EVERY: "500" },
    (server) => replay(c, store, server),
  );
}

/** What every step of the replay works with: the server, its database file and the auditor's token. */
type Replay = { c: Checks; store: Store; server: Server; dbFile: string; token: string; password: string };

async function replay(c: Checks, store: Store, server: Server): Promise<void> {
  const r = await setUp(c, store, server);
  await swappedNeighbours(r);
  await deletedCheckpoint(r);
  await rewrittenInPlace(r);
  log(`security-data: item 12 replayed against ${server.url}`);
}

/** An auditor token and an admin, 2 048 entries (8 chunks) with checkpoints every 500, and one clean run. */
async function setUp(c: Checks, store: Store, server: Server): Promise<Replay> {
  const dbFile = path.join(store.dataDir, "ledgerline.db");
  const { key } = cliJson<{ key: string }>(store, ["keys", "create", "--source", SOURCE]);
  const password = crypto.randomBytes(12).toString("hex");
  for (const [email, role] of [
    ["aud12@security.example", "auditor"],
    ["adm12@security.example", "admin"],
  ])
    cliJson(store, ["users", "create", "--email", email!, "--role", role!, "--password-stdin"], password);
  const token = cliJson<{ token: string }>(store, [
    ...["tokens", "create", "--email", "aud12@security.example", "--scope", "integrity:run"],
  ]).token;
  for (let b = 0; b < 16; b++) {
    const events = Array.from({ length: 128 }, (_, i) => securityEvent({ id: `item12-${b}-${i}` }));
    const r = await call(server, "/api/v1/events", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(events),
    });
    if (r.status !== 201 && r.status !== 202 && r.status !== 200)
      throw new Error(`ingest answered ${r.status}: ${JSON.stringify(r.body)}`);
  }
  for (let i = 0; i < 60 && !checkpointAt(dbFile, 1000); i++) await new Promise((r) => setTimeout(r, 500));
  const clean = await runAfter(server, token, new Date().toISOString(), (r) => r.status === "ok");
  if (!clean.run) throw new Error("no clean verification run after the fixtures");
  return { c, store, server, dbFile, token, password };
}

/** The first checkpoint at or above `size` (timed checkpoints also sign other sizes). */
function checkpointAt(dbFile: string, size: number) {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db
      .prepare("SELECT tree_size, created_at FROM checkpoints WHERE tree_size >= ? ORDER BY tree_size LIMIT 1")
      .get(size) as { tree_size: number; created_at: string } | undefined;
  } finally {
    db.close();
  }
}

const SWAP_100_101 = [
  "UPDATE entries SET seq = -1 WHERE seq = 100",
  "UPDATE entries SET seq = 100 WHERE seq = 101",
  "UPDATE entries SET seq = 101 WHERE seq = -1",
];

/** 1. Two neighbours swapped: reordered, not inserted; swapped back, the log is clean again. */
async function swappedNeighbours({ c, server, dbFile, token }: Replay): Promise<void> {
  let since = new Date().toISOString();
  tamper(dbFile, ...SWAP_100_101);
  const swapped = await runAfter(server, token, since, (r) => r.status === "failed");
  c.check(
    "item 12: two swapped neighbouring entries are reported as reordered (not inserted), at seq 100",
    swapped.run?.kind === "reordered" && swapped.run.firstBadSeq === 100,
    `${swapped.run?.mode} ${swapped.run?.kind} at ${swapped.run?.firstBadSeq}: ${swapped.run?.reason?.slice(0, 160)}`,
  );
  tamper(dbFile, ...SWAP_100_101);
  since = new Date().toISOString();
  await runAfter(server, token, since, (r) => r.status === "ok");
}

/** 2. An old checkpoint deleted: named, and a failure until an admin acknowledges it. */
async function deletedCheckpoint({ c, server, dbFile, token, password }: Replay): Promise<void> {
  const victim = checkpointAt(dbFile, 200)!;
  const signed = victim.created_at;
  tamper(dbFile, `DELETE FROM checkpoints WHERE tree_size = ${victim.tree_size}`);
  let since = new Date().toISOString();
  const first = await runAfter(server, token, since, (r) => r.status === "failed");
  const full = await call(server, "/api/v1/integrity/runs", {
    method: "POST",
    headers: { authorization: `Bearer ${token}` },
  });
  const after = await runAfter(server, token, new Date(Date.now() + 1500).toISOString());
  const fullRun = await runAfter(server, token, since, (r) => r.id === full.body.id && r.status !== "running");
  c.check(
    "item 12: a deleted checkpoint is named (tree size, signing time) and stays a failure in later incremental runs and a full pass",
    first.run?.kind === "deleted-checkpoint" &&
      (first.run.reason ?? "").includes(`checkpoint ${victim.tree_size} (signed ${signed}`) &&
      after.run?.kind === "deleted-checkpoint" &&
      fullRun.run?.mode === "full" &&
      fullRun.run.kind === "deleted-checkpoint" &&
      (after.status?.status as string) === "broken",
    `${first.run?.kind}: ${first.run?.reason?.slice(0, 120)}; later ${after.run?.kind}; full ${fullRun.run?.kind}`,
  );
  const cookie = await signInCookie(server.url, "adm12@security.example", password);
  const ack = await call(server, "/api/v1/integrity/acknowledgements", {
    method: "POST",
    headers: { cookie, origin: server.url, "content-type": "application/json" },
    body: JSON.stringify({ treeSizes: [victim.tree_size], reason: "security replay: deletion explained" }),
  });
  since = new Date().toISOString();
  const ok = await runAfter(server, token, since, (r) => r.status === "ok");
  const ro = new Database(dbFile, { readonly: true });
  const audited = ro
    .prepare("SELECT COUNT(*) AS n FROM entries WHERE action = 'integrity.acknowledge' AND requester_id = ?")
    .get("adm12@security.example") as { n: number };
  ro.close();
  const listed = ((ok.status?.deletedCheckpoints ?? []) as Array<{ treeSize: number; acknowledged: unknown }>)[0];
  c.check(
    "item 12: only an admin's acknowledgement ends it; it is in the log, and the checkpoint stays listed",
    ack.status === 200 &&
      ok.run !== null &&
      audited.n === 1 &&
      listed?.treeSize === victim.tree_size &&
      listed.acknowledged !== null,
    `ack ${ack.status}, next run ${ok.run?.status}, audit entries ${audited.n}, listed ${JSON.stringify(listed)}`,
  );
}

/** 3. An old entry rewritten in place (leaf hash kept): an incremental run finds it once its share is due. */
async function rewrittenInPlace({ c, store, server, dbFile, token }: Replay): Promise<void> {
  tamper(dbFile, "UPDATE entries SET outcome = 'denied' WHERE seq = 1500");
  const stateFile = path.join(store.dataDir, "verifier-state.json");
  const st = JSON.parse(fs.readFileSync(stateFile, "utf8")) as Json;
  // The coverage period (1 h here) elapsed since the last sample: the whole log is due.
  fs.writeFileSync(stateFile, JSON.stringify({ ...st, sampledAt: new Date(Date.now() - 3600_000).toISOString() }));
  const since = new Date().toISOString();
  const found = await runAfter(server, token, since, (r) => r.status === "failed");
  const cov = (found.status?.coverage ?? {}) as { periodHours?: number; ranges?: unknown[] };
  c.check(
    "item 12: an old entry rewritten in place is found by an incremental run within the coverage period; the status shows per-range re-hash times",
    found.run?.mode === "incremental" &&
      found.run.kind === "modified" &&
      found.run.firstBadSeq === 1500 &&
      cov.periodHours === 1 &&
      Array.isArray(cov.ranges) &&
      cov.ranges.length > 0,
    `${found.run?.mode} ${found.run?.kind} at ${found.run?.firstBadSeq}; coverage ${JSON.stringify(cov).slice(0, 160)}`,
  );
}
