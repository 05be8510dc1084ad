import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { describe, expect, it } from "vitest";
import { formatCheckpoint, generateSigningKey, parseSignerKey, signNote } from "@/lib/core/index.ts";
import { freePort } from "@/test/support/free-port.ts";
import { placeholders } from "@/test/support/raw-store.ts";
import { DIALECTS, testApi, validEvent as ev } from "@/test/support/stores.ts";
import { eachTamperWorld } from "@/test/support/tamper-world.ts";
import type { Principal } from "../auth/principal.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { signingKeyFile } from "../ledger/signing.ts";
import { readState, stateFile } from "./state.ts";
import { runVerification, settle } from "./index.ts";
import { getIntegrityStatus, getRun } from "./status.ts";
import { startFullPass } from "./verifier.ts";

// The integrity center against real stores tampered with as an attacker with
// raw database access would: drop (SQLite) or disable (PostgreSQL) the
// append-only triggers, then rewrite rows by SQL. Each kind of tampering must be
// named, with its first bad seq, by an incremental run (after a first run
// remembered the log) and by a full pass.

const ORIGIN = "test.example/integrity";

type IntegrityApi = ReturnType<typeof testApi>["integrity"];
type Who = { p: Principal | null };

const AUDITOR = {
  kind: "user",
  userId: "u1",
  email: "auditor@test",
  name: null,
  role: "auditor",
  via: "session",
  ip: "192.0.2.1",
} satisfies Principal;
const TOKEN_ADMIN: Principal = {
  kind: "user",
  userId: "u2",
  email: "admin@test",
  name: null,
  role: "admin",
  via: "token",
  scopes: ["events:read", "integrity:run"],
};

/** GET /api/v1/integrity: the status for an auditor, each read in the log; 403/401 for others, unlogged. */
async function checkStatusReads(ledger: Runtime, api: IntegrityApi, who: Who) {
  const get = () => api.get(new Request("http://x/api/v1/integrity"), {});
  const views = async () =>
    Number(
      (await ledger.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM entries WHERE action = 'integrity.view'"))!.n,
    );
  const res = await get();
  expect(res.status).toBe(200);
  const body = (await res.json()) as Awaited<ReturnType<typeof getIntegrityStatus>>;
  const key = await ledger.signingKey();
  expect(body).toMatchObject({
    status: "verified",
    verifiedThrough: 650,
    treeSize: 650,
    verifierKey: key.verifierKey,
    fingerprint: key.fingerprint,
    latestFailure: null,
  });
  expect(body.checkpoints.map((c) => c.treeSize)).toEqual([600, 300]);
  expect(body.runs).toHaveLength(1);
  expect(await views()).toBe(1);

  who.p = { ...AUDITOR, role: "analyst" };
  expect((await get()).status).toBe(403);
  who.p = null;
  expect((await get()).status).toBe(401);
  expect(await views()).toBe(1);
}

/** POST /api/v1/integrity/runs and GET …/runs/{id}: one full pass at a time, CSRF refused. */
async function checkRunsApi(ledger: Runtime, api: IntegrityApi) {
  const start = (headers: Record<string, string>) =>
    api.startRun(new Request("http://x/api/v1/integrity/runs", { method: "POST", headers }), {});
  // A session (cookie) caller from another site is refused before anything starts (CSRF).
  expect((await start({ origin: "https://evil.example" })).status).toBe(403);
  const res = await start({ authorization: "Bearer llr_token" });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  const again = await start({ authorization: "Bearer llr_token" });
  expect(again.status).toBe(409);
  expect(await again.json()).toMatchObject({ id });
  await settle(ledger);
  const runRes = await api.getRun(new Request(`http://x/api/v1/integrity/runs/${id}`), {
    params: Promise.resolve({ id }),
  });
  expect(runRes.status).toBe(200);
  expect(await runRes.json()).toMatchObject({
    id,
    mode: "full",
    status: "ok",
    requestedBy: "admin@test",
    progress: { total: expect.any(Number) },
  });
  expect((await api.getRun(new Request("http://x/r"), { params: Promise.resolve({ id: "nope" }) })).status).toBe(404);
  const st = await getIntegrityStatus(ledger);
  expect(st.runs[0]).toMatchObject({ id, status: "ok" });
  expect(st.lastRun?.id).toBe(id);
  // startFullPass directly: one at a time.
  const a = await startFullPass(ledger, { id: "x@test" });
  await expect(startFullPass(ledger, null)).rejects.toMatchObject({ code: "conflict" });
  await settle(ledger);
  expect(await getRun(ledger, a)).toMatchObject({ status: "ok" });
}

describe.each(DIALECTS)("integrity center on %s", (dialect) => {
  const w = eachTamperWorld(dialect, ORIGIN);

  /** 650 entries, checkpoints at 300 and 600; a first run remembers them; the guards dropped as an attacker would. */
  async function build(env: Record<string, string> = {}, remember = true, dropGuards = true) {
    const first = await w.build([300, 600], 50, { env, remember });
    if (remember) expect(first).toMatchObject({ treeSize: 650, verifiedThrough: 650, kind: null });
    if (!dropGuards) return;
    const drop =
      dialect === "sqlite"
        ? ["entries_no_update", "entries_no_delete", "checkpoints_no_delete", "checkpoints_no_update"].map(
            (t) => `DROP TRIGGER ${t}`,
          )
        : ["ALTER TABLE entries DISABLE TRIGGER USER", "ALTER TABLE checkpoints DISABLE TRIGGER USER"];
    for (const s of drop) await w.attacker!.exec(s);
  }

  const p = (sql: string) => placeholders(dialect, sql);

  async function insertCheckpoint(size: number, note: string, root: Uint8Array) {
    await w.attacker!.exec(
      p("INSERT INTO checkpoints (tree_size, root_hash, note, key_id, created_at) VALUES (?, ?, ?, ?, ?)"),
      [size, Buffer.from(root), note, "deadbeef", new Date().toISOString()],
    );
  }

  /** Both modes must name the same kind and seq. */
  async function expectBoth(kind: string, seq: number | null, reason: RegExp) {
    for (const mode of ["incremental", "full"] as const) {
      const r = await runVerification(w.ledger, { mode, alert: false });
      expect({ mode, ok: r.ok, kind: r.kind, firstBadSeq: r.firstBadSeq }).toEqual({
        mode,
        ok: false,
        kind,
        firstBadSeq: seq,
      });
      expect(r.reason).toMatch(reason);
    }
  }

  it("verifies an intact log incrementally: only new entries, a rolling sample, state outside the database", async () => {
    await build({}, true, false);
    const st = readState(w.store.config.dataDir)!;
    expect(st).toMatchObject({ origin: ORIGIN, treeSize: 650, checkpoint: { treeSize: 600 } });
    expect(st.subtrees).toHaveLength(4); // 650 = 512 + 128 + 8 + 2
    expect(fs.statSync(stateFile(w.store.config.dataDir)).mode & 0o777).toBe(0o600);
    await w.ledger.sequencer.append(
      "spiffe://test/a",
      Array.from({ length: 100 }, () => ev()),
    );
    await w.ledger.sequencer.checkpoint();
    const progress: number[] = [];
    const r = await runVerification(w.ledger, { mode: "incremental", onProgress: (d) => progress.push(d) });
    expect(r).toMatchObject({
      ok: true,
      mode: "incremental",
      treeSize: 750,
      verifiedThrough: 750,
      checkpointsChecked: 1,
      firstBadSeq: null,
      kind: null,
    });
    // 100 new + 2 sampled chunks of 256 + the remembered tail below one chunk (128 + 8 + 2)
    expect(r.entriesChecked).toBe(100 + 512 + 138);
    expect(progress.at(-1)).toBe(100);
    expect(readState(w.store.config.dataDir)).toMatchObject({ treeSize: 750, checkpoint: { treeSize: 750 } });
    const full = await runVerification(w.ledger, { mode: "full" });
    expect(full).toMatchObject({ ok: true, entriesChecked: 750, checkpointsChecked: 3 });
    const run = await getRun(w.ledger, full.runId);
    expect(run).toMatchObject({
      status: "ok",
      mode: "full",
      verifiedThrough: 750,
      progress: { done: 750, total: 750 },
    });
  });

  it("names a modified entry", async () => {
    await build();
    await w.attacker!.exec(
      "UPDATE entries SET outcome = 'success', requester_id = 'spiffe://innocent' WHERE seq = 123",
    );
    await expectBoth("modified", 123, /entry 123 was modified/);
  });

  it("names a deleted entry as a gap", async () => {
    await build();
    await w.attacker!.exec("DELETE FROM entries WHERE seq = 77");
    await expectBoth("gap", 77, /entry 77 is missing/);
  });

  it("names reordered entries", async () => {
    await build();
    for (const s of [
      "UPDATE entries SET seq = -1 WHERE seq = 100",
      "UPDATE entries SET seq = 100 WHERE seq = 200",
      "UPDATE entries SET seq = 200 WHERE seq = -1",
    ]) {
      await w.attacker!.exec(s);
    }
    await expectBoth("reordered", 100, /row at seq 100 is the log's entry 200/);
  });

  it("names an entry inserted in the middle", async () => {
    await build();
    await w.attacker!.exec("UPDATE entries SET seq = -seq WHERE seq >= 150");
    await w.attacker!.exec("UPDATE entries SET seq = 1 - seq WHERE seq < 0");
    const cols =
      "source, ts, received_at, event_type, requester_id, requester_type, requester_ip, target_id, target_service, target_type, action, outcome, correlation_id, reason, attributes, leaf_hash";
    await w.attacker!.exec(
      `INSERT INTO entries (seq, event_id, ${cols}) SELECT 150, 'forged-150', ${cols} FROM entries WHERE seq = 151`,
    );
    await expectBoth("inserted", 150, /inserted at seq 150/);
  });

  it("names a tail truncated after the last checkpoint, by the remembered state", async () => {
    await build();
    await w.attacker!.exec("DELETE FROM entries WHERE seq > 620");
    await expectBoth("truncated", 621, /verifier had verified 650 entries.*621\.\.650 were deleted/);
  });

  it("names a tail truncated below the latest checkpoint, without any remembered state", async () => {
    await build({}, false);
    await w.attacker!.exec("DELETE FROM entries WHERE seq > 550");
    await expectBoth("truncated", 551, /ends at entry 550 but checkpoint 600 was signed/);
  });

  it("names a rollback: checkpoints deleted together with the tail", async () => {
    await build();
    await w.attacker!.exec("DELETE FROM entries WHERE seq > 450");
    await w.attacker!.exec("DELETE FROM checkpoints WHERE tree_size > 450");
    await expectBoth("rollback", 451, /saw checkpoint 600.*latest checkpoint is now 300/);
  });

  it("names a checkpoint signed by an unknown key", async () => {
    await build();
    const evil = generateSigningKey(ORIGIN);
    const root = crypto.randomBytes(32);
    await insertCheckpoint(
      650,
      signNote(formatCheckpoint({ origin: ORIGIN, size: 650, rootHash: root }), [evil]),
      root,
    );
    await expectBoth("forged-checkpoint", null, /checkpoint 650: note has no verifiable signatures/);
  });

  it("names a checkpoint with a bad signature", async () => {
    await build();
    const [row] = (await w.attacker!.exec("SELECT note, root_hash FROM checkpoints WHERE tree_size = 600")) as Array<{
      note: string;
      root_hash: Uint8Array;
    }>;
    // The real key's signature line, over a different tree size: the signature no longer matches.
    const forged = row!.note.replace("\n600\n", "\n650\n");
    await insertCheckpoint(650, forged, new Uint8Array(row!.root_hash));
    await expectBoth("forged-checkpoint", null, /checkpoint 650: invalid signature/);
  });

  for (const size of [450, 650]) {
    it(`names a fork: a validly signed checkpoint ${size} not consistent with the previous one`, async () => {
      await build();
      const signer = parseSignerKey(fs.readFileSync(signingKeyFile(w.store.config.dataDir), "utf8").trim());
      const root = crypto.randomBytes(32);
      await insertCheckpoint(
        size,
        signNote(formatCheckpoint({ origin: ORIGIN, size, rootHash: root }), [signer]),
        root,
      );
      await expectBoth(
        "fork",
        null,
        new RegExp(`checkpoint ${size} .*is not consistent with checkpoint ${size === 450 ? 300 : 600}`),
      );
    });
  }

  it("names missing append-only guards when the data is intact", async () => {
    await build();
    await expectBoth("guards", null, /append-only guards are missing or altered/);
  });

  it("alerts once per failure: server log, signed webhook, and an entry in the log", async () => {
    const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    try {
      await build({ LEDGERLINE_ALERT_WEBHOOK: `http://127.0.0.1:${port}/hook` });
      await w.attacker!.exec("UPDATE entries SET outcome = 'denied' WHERE seq = 42");
      const errors: string[] = [];
      const orig = console.error;
      console.error = (...a: unknown[]) => void errors.push(a.join(" "));
      let r;
      try {
        r = await runVerification(w.ledger, { mode: "incremental" });
        await runVerification(w.ledger, { mode: "incremental" });
        await runVerification(w.ledger, { mode: "full" });
      } finally {
        console.error = orig;
      }
      expect(r).toMatchObject({ ok: false, kind: "modified", firstBadSeq: 42 });
      expect(errors.filter((e) => e.includes("INTEGRITY FAILURE"))).toEqual([
        expect.stringMatching(/kind=modified seq=42/),
      ]);
      expect(received).toHaveLength(1);
      const { headers, body } = received[0]!;
      const key = await w.ledger.signingKey();
      expect(headers["x-ledgerline-key-id"]).toBe(key.keyIdHex);
      expect(headers["x-ledgerline-key-id"]).toMatch(/^[0-9a-f]{8}$/);
      const sig = Buffer.from(String(headers["x-ledgerline-signature"]), "base64");
      expect(crypto.verify(null, Buffer.from(body), crypto.createPublicKey(key.pem), sig)).toBe(true);
      expect(crypto.verify(null, Buffer.from(body.replace("42", "43")), crypto.createPublicKey(key.pem), sig)).toBe(
        false,
      );
      expect(JSON.parse(body)).toEqual({
        type: "ledgerline.integrity.failed",
        origin: ORIGIN,
        kind: "modified",
        firstBadSeq: 42,
        reason: r!.reason,
        treeSize: 650,
        detectedAt: expect.stringMatching(/Z$/),
        runId: r!.runId,
      });
      // The failure itself is in the log, once, by the verifier.
      const audit = await w.ledger.db.all<{
        seq: number;
        source: string;
        requester_id: string;
        outcome: string;
        target_id: string;
        action: string;
      }>(
        "SELECT seq, source, requester_id, outcome, target_id, action FROM entries WHERE source = 'ledgerline:verifier'",
      );
      expect(audit).toEqual([
        {
          seq: 651,
          source: "ledgerline:verifier",
          requester_id: "ledgerline-verifier",
          outcome: "failure",
          target_id: "ledgerline://integrity",
          action: "integrity.failed",
        },
      ]);
    } finally {
      server.close();
    }
  });

  it("serves GET /api/v1/integrity and the runs API with permissions, audit and progress", async () => {
    await build({}, true, false);
    await w.attacker!.close();
    w.attacker = null;
    const who: Who = { p: AUDITOR };
    const api = testApi(w.ledger, async () => who.p).integrity;
    await checkStatusReads(w.ledger, api, who);
    who.p = TOKEN_ADMIN;
    await checkRunsApi(w.ledger, api);
  });
});
