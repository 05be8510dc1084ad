import { afterEach, describe, expect, it } from "vitest";
import { fromBase64, opensCommitment, verifyConsistency, verifyInclusion } from "@/lib/core/index.ts";
import {
  DIALECTS,
  event,
  freshLedger,
  ingestRequest,
  testApi,
  type Attacker,
  type Dialect,
} from "@/test/support/stores.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { storeBytes } from "@/test/support/store-bytes.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { createIngestKey } from "../ingest/ingest-keys.ts";
import { queryEvents } from "../events/query.ts";
import { exportEvents } from "../events/export.ts";
import { whenBundlesIdle } from "../bundles/queue.ts";
import { verifyBundle } from "@/lib/core/bundle/verify.ts";
import { readZip } from "@/lib/core/zip/read.ts";
import { viewEvent } from "../events/search.ts";
import { rowLeafHash, rowToEntry, type EntryRow } from "../ledger/entry.ts";
import { entryAt } from "../ledger/store/entries.ts";
import { secretsOf } from "../ledger/store/secrets.ts";
import { verifyLog } from "../ledger/verify.ts";
import { consistencyProof, inclusionProof } from "../transparency/proofs.ts";
import { readEntryBundle } from "../tlog/tiles.ts";
import { eraseSubject } from "./erase.ts";
import { declarePersonalField } from "./personal-fields.ts";
import { placeLegalHold } from "./policies.ts";
import { ERASURE_RECEIPT_ACTION } from "./receipt.ts";

// Issue 18 part 2: personal fields enter v2 leaves as salted commitments; erasing a
// subject deletes values and salts along a receipt, and every proof still verifies —
// on both stores, through the real ingest path (worker pool) and the sequencer.

const admin = systemPrincipal("root@test");
const SOURCE = "spiffe://test.example/ns/shop/sa/erase";
const SUBJECT_IP = "10.77.1.23";
const OTHER_IP = "10.77.9.9";
const USER = "alice-7f3a@example.com";
const HELD_USER = "held-2c9d@example.com";
const ORIGIN = "test.example/erase";

async function setup(dialect: Dialect) {
  const env = await freshLedger(dialect, { LEDGERLINE_ORIGIN: ORIGIN, LEDGERLINE_CHECKPOINT_EVERY: "1000000" });
  const l = env.ledger;
  await declarePersonalField(l, admin, { source: SOURCE, pointer: "/requester/ip" });
  await declarePersonalField(l, admin, { source: SOURCE, pointer: "/attributes/user" });
  const { key } = await createIngestKey(l, admin, SOURCE);
  const api = testApi(l);
  const body = (n: number, ip: string, user: string) =>
    JSON.stringify(
      Array.from({ length: n }, () =>
        event({
          requester: { id: "spiffe://test.example/ns/shop/sa/web", type: "service", ip },
          attributes: { user, "http.response.status_code": 200 },
        }),
      ),
    );
  for (const [n, ip, user] of [
    [30, SUBJECT_IP, USER],
    [10, OTHER_IP, "bob@example.com"],
    [5, SUBJECT_IP, HELD_USER],
  ] as const) {
    const res = await api.events.post(ingestRequest("http://127.0.0.1/api/v1/events", body(n, ip, user), {}, key), {});
    expect(res.status).toBe(201);
  }
  // One event of an undeclared source stays a v1 leaf.
  await l.sequencer.append("spiffe://test.example/ns/other", [v1Event()]);
  const first = (await l.sequencer.checkpoint())!;
  return { env, first };
}

function v1Event() {
  const r = validateEvent(event({}));
  if (!r.ok) throw new Error("bad fixture");
  return r.event;
}

const rowsOf = async (env: Awaited<ReturnType<typeof freshLedger>>) =>
  env.ledger.db.all<EntryRow>("SELECT * FROM entries WHERE source = ? ORDER BY seq", [SOURCE]);

describe.each(DIALECTS)("erasure on %s", (dialect) => {
  let env: Awaited<ReturnType<typeof freshLedger>>;
  let attacker: Attacker | undefined;
  afterEach(async () => {
    await attacker?.close();
    attacker = undefined;
    // A setup that failed leaves no env to clean.
    await (env as typeof env | undefined)?.cleanup();
    env = undefined as unknown as typeof env;
  });
  const verify = async () => verifyLog(env.ledger.db, { origin: ORIGIN, verifiers: [await env.ledger.signingKey()] });

  it("commits declared fields in v2 leaves, keeps values outside, and verifies", async () => {
    ({ env } = await setup(dialect));
    const rows = await rowsOf(env);
    expect(rows).toHaveLength(45);
    const r = rows[0]!;
    expect(r.requester_ip).toBeNull();
    expect(r.attributes).not.toContain(USER);
    const personal = JSON.parse(r.personal!) as Record<string, string>;
    expect(Object.keys(personal)).toEqual(["/attributes/user", "/requester/ip"]);
    expect(Buffer.from(r.leaf_hash)).toEqual(Buffer.from(rowLeafHash(r)));
    const secrets = (await secretsOf(env.ledger.db, [Number(r.seq)])).get(Number(r.seq))!;
    for (const s of secrets) {
      expect(opensCommitment(personal[s.pointer]!, JSON.parse(s.value), Buffer.from(s.salt).toString("hex"))).toBe(
        true,
      );
    }
    // Filters see the value only through what is kept; the leaf JSON never holds it.
    const other = await env.ledger.db.get<EntryRow>("SELECT * FROM entries WHERE source = ?", [
      "spiffe://test.example/ns/other",
    ]);
    expect(other?.requester_ip).toBe("10.0.0.7");
    expect(await verify()).toMatchObject({ ok: true });
  });

  it("erases a subject along a receipt, refuses held entries, and every proof still verifies", async () => {
    const s = await setup(dialect);
    env = s.env;
    await placeLegalHold(env.ledger, admin, { filter: { q: "held-2c9d" }, reason: "litigation", caseRef: "CASE-9" });
    const dry = await eraseSubject(env.ledger, admin, {
      field: "/requester/ip",
      value: SUBJECT_IP,
      request: "DSR-1",
      dryRun: true,
    });
    expect(dry).toMatchObject({ matched: 35, erased: 30, receipts: [] });
    const report = await eraseSubject(env.ledger, admin, {
      field: "/requester/ip",
      value: SUBJECT_IP,
      request: "DSR-1",
    });
    expect(report).toMatchObject({ matched: 35, erased: 30 });
    expect(report.receipts).toHaveLength(1);
    expect(report.held).toEqual([expect.objectContaining({ caseRef: "CASE-9", seqs: expect.any(Array) })]);
    expect(report.held[0]!.seqs).toHaveLength(5);
    const receipt = (await entryAt(env.ledger.db, report.receipts[0]!))!;
    expect(receipt.action).toBe(ERASURE_RECEIPT_ACTION);
    expect(receipt.attributes).not.toContain(SUBJECT_IP);
    expect(receipt.requester_ip ?? "").not.toContain(SUBJECT_IP);

    const second = (await env.ledger.sequencer.checkpoint())!;
    expect(await verify()).toMatchObject({ ok: true, reason: null });
    const rows = await rowsOf(env);
    for (const r of rows) expect(Buffer.from(r.leaf_hash)).toEqual(Buffer.from(rowLeafHash(r)));
    const seq = Number(rows[0]!.seq);
    for (const cp of [s.first, second]) {
      const proof = await inclusionProof(env.ledger, seq, cp.treeSize);
      expect(
        verifyInclusion(seq - 1, cp.treeSize, fromBase64(proof.leafHash), proof.path.map(fromBase64), cp.rootHash),
      ).toBe(true);
    }
    const c = await consistencyProof(env.ledger, s.first.treeSize, second.treeSize);
    expect(
      verifyConsistency(s.first.treeSize, second.treeSize, s.first.rootHash, second.rootHash, c.path.map(fromBase64)),
    ).toBe(true);
    // The entry bundle (tile) still hashes to its leaves: it carries the commitments, not values.
    const bundle = await readEntryBundle(env.ledger.db, 0, Math.min(256, second.treeSize));
    expect(Buffer.from(bundle).includes(Buffer.from(SUBJECT_IP))).toBe(false);

    // The held entries keep their value; the erased ones have none; a second run has nothing to do.
    const left = await env.ledger.db.all<{ seq: number }>(
      "SELECT seq FROM entry_secrets WHERE pointer = '/requester/ip' AND value = ?",
      [JSON.stringify(SUBJECT_IP)],
    );
    expect(left.map((x) => Number(x.seq))).toEqual(report.held[0]!.seqs);
    expect(
      (await eraseSubject(env.ledger, admin, { field: "/requester/ip", value: SUBJECT_IP, request: "DSR-1" })).erased,
    ).toBe(0);
    expect(rowToEntry(rows[0]!).personal?.["/requester/ip"]).toMatch(/^[0-9a-f]{64}$/);

    // Readers: the entry page names the erasure; kept values are restored, erased ones absent.
    const detail = await viewEvent(env.ledger, admin, seq);
    expect(detail.entry.requester.ip).toBeUndefined();
    expect(detail.entry.attributes?.user).toBe(USER);
    expect(detail.erased).toEqual([
      { pointer: "/requester/ip", request: "DSR-1", receiptSeq: report.receipts[0], erasedAt: receipt.received_at },
    ]);
    expect(detail.canonicalJson).toContain('"leafVersion":2');
    const page = await queryEvents(env.ledger, { source: SOURCE }, { sort: "seq", limit: 100 });
    expect(page.items.filter((e) => e.requester.ip === SUBJECT_IP)).toHaveLength(5);
    expect(page.items.filter((e) => e.requester.ip === OTHER_IP)).toHaveLength(10);
    expect(page.items.filter((e) => e.erased?.[0]?.request === "DSR-1")).toHaveLength(30);

    // Gone from the store's bytes (the held value and the other subject's stay).
    attacker = await env.store.attacker();
    const bytes = await storeBytes(env.store, attacker);
    expect(bytes.includes(Buffer.from(`"${SUBJECT_IP}"`))).toBe(true); // the 5 held entries
    await attacker.close();
    attacker = undefined;
  });

  it("an evidence bundle over v2 entries verifies offline; its events.jsonl carries commitments, never values", async () => {
    ({ env } = await setup(dialect));
    await eraseSubject(env.ledger, admin, { field: "/requester/ip", value: SUBJECT_IP, request: "DSR-5" });
    await env.ledger.sequencer.checkpoint();
    const routes = testApi(env.ledger, admin).bundles;
    const res = await routes.create(
      new Request("http://ledgerline.test/api/v1/bundles", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer llr_test" },
        body: JSON.stringify({ filter: { source: SOURCE } }),
      }),
      {},
    );
    expect(res.status, await res.clone().text()).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await whenBundlesIdle(env.ledger);
    const dl = await routes.download(
      new Request(`http://ledgerline.test/api/v1/bundles/${id}/download`, {
        headers: { authorization: "Bearer llr_test" },
      }),
      {
        params: Promise.resolve({ id }),
      },
    );
    expect(dl.status, dl.status === 200 ? "" : await dl.clone().text()).toBe(200);
    const bytes = new Uint8Array(await dl.arrayBuffer());
    const report = await verifyBundle(bytes, { key: (await env.ledger.signingKey()).verifierKey });
    expect(report.ok, JSON.stringify(report)).toBe(true);
    const zip = readZip(bytes);
    if (!zip.ok) throw new Error(zip.reason);
    const events = new TextDecoder().decode(zip.files.get("events.jsonl")!);
    expect(events.split("\n").filter(Boolean)).toHaveLength(45);
    expect(events).toContain('"leafVersion":2');
    for (const v of [SUBJECT_IP, OTHER_IP, USER]) expect(events.includes(v), v).toBe(false);
  });

  it("filters never match an erased value", async () => {
    ({ env } = await setup(dialect));
    await declarePersonalField(env.ledger, admin, { source: "*", pointer: "/requester/id" });
    const { key } = await createIngestKey(env.ledger, admin, "spiffe://test.example/ns/k8s");
    const api = testApi(env.ledger);
    const body = JSON.stringify([
      event({ requester: { id: USER, type: "user" } }),
      event({ requester: { id: "carol@example.com", type: "user" } }),
    ]);
    expect((await api.events.post(ingestRequest("http://127.0.0.1/api/v1/events", body, {}, key), {})).status).toBe(
      201,
    );
    const find = async () =>
      (await queryEvents(env.ledger, { requester: USER }, { sort: "seq", limit: 50 })).items.length;
    expect(await find()).toBe(1);
    expect((await queryEvents(env.ledger, { requester: "alice-7f3a*" }, { sort: "seq", limit: 50 })).items.length).toBe(
      1,
    );
    const r = await eraseSubject(env.ledger, admin, { field: "/requester/id", value: USER, request: "DSR-2" });
    expect(r.erased).toBe(1);
    expect(await find()).toBe(0);
    expect(await verify()).toMatchObject({ ok: true });
    attacker = await env.store.attacker();
    const bytes = await storeBytes(env.store, attacker);
    expect(bytes.includes(Buffer.from(USER))).toBe(true); // still in the /attributes/user of other entries
    expect(bytes.includes(Buffer.from("carol@example.com"))).toBe(true);
  });

  it("is gone from the database files after VACUUM, and from CSV and NDJSON exports", async () => {
    ({ env } = await setup(dialect));
    const exported = async (format: "csv" | "ndjson") =>
      new Response((await exportEvents(env!.ledger, admin, {}, { format, sort: "seq" })).body).text();
    expect(await exported("ndjson")).toContain(SUBJECT_IP);
    await eraseSubject(env.ledger, admin, { field: "/requester/ip", value: SUBJECT_IP, request: "DSR-3" });
    await eraseSubject(env.ledger, admin, { field: "/attributes/user", value: USER, request: "DSR-3" });
    for (const format of ["csv", "ndjson"] as const) {
      const text = await exported(format);
      expect(text).toContain(OTHER_IP);
      expect(text).not.toContain(SUBJECT_IP);
      expect(text).not.toContain(USER);
    }
    attacker = await env.store.attacker();
    const bytes = await storeBytes(env.store, attacker);
    expect(bytes.includes(Buffer.from(SUBJECT_IP))).toBe(false);
    expect(bytes.includes(Buffer.from(USER))).toBe(false);
    expect(bytes.includes(Buffer.from(OTHER_IP))).toBe(true);
  });

  it("the database refuses deleting or changing a secret without a receipt; with the guard dropped, verification names it", async () => {
    ({ env } = await setup(dialect));
    const seq = Number((await rowsOf(env))[0]!.seq);
    await eraseSubject(env.ledger, admin, { field: "/requester/ip", value: OTHER_IP, request: "DSR-4" });
    attacker = await env.store.attacker();
    for (const sql of [
      `DELETE FROM entry_secrets WHERE seq = ${seq}`,
      `UPDATE entry_secrets SET value = '"10.0.0.1"' WHERE seq = ${seq}`,
      "DELETE FROM erased_ranges",
    ]) {
      await expect(attacker.exec(sql), sql).rejects.toThrow(/append-only/);
    }
    const off =
      dialect === "sqlite" ? "DROP TRIGGER entry_secrets_no_delete" : "ALTER TABLE entry_secrets DISABLE TRIGGER USER";
    await attacker.exec(off);
    await attacker.exec(`DELETE FROM entry_secrets WHERE seq = ${seq} AND pointer = '/requester/ip'`);
    const v = await verify();
    expect(v).toMatchObject({ ok: false, firstBadSeq: seq });
    expect(v.reason).toMatch(/deleted without a receipt/);
  });

  it.runIf(dialect === "sqlite")(
    "a value deleted without a receipt and hidden from the index the check reads (entries_personal rewritten) is still named",
    async () => {
      ({ env } = await setup(dialect));
      const seq = Number((await rowsOf(env))[3]!.seq);
      const file = (env.store.config.database as { file: string }).file;
      // The insider: the secret deleted, and the partial index rebuilt without that entry while
      // its SQL still reads "WHERE personal IS NOT NULL", so the planner keeps using it.
      const { default: Database } = await import("better-sqlite3");
      const raw = new Database(file);
      raw.unsafeMode(true);
      raw.exec("DROP TRIGGER entry_secrets_no_delete");
      raw.exec(`DELETE FROM entry_secrets WHERE seq = ${seq} AND pointer = '/requester/ip'`);
      raw.exec("DROP INDEX entries_personal");
      raw.exec(`CREATE INDEX entries_personal ON entries (seq) WHERE personal IS NOT NULL AND seq <> ${seq}`);
      raw.pragma("writable_schema = ON");
      raw.exec(
        "UPDATE sqlite_schema SET sql = 'CREATE INDEX entries_personal ON entries (seq) WHERE personal IS NOT NULL' WHERE name = 'entries_personal'",
      );
      raw.pragma("writable_schema = OFF");
      raw.close();
      const hidden = await env.ledger.db.all<{ seq: number }>(
        "SELECT seq FROM entries WHERE personal IS NOT NULL AND pruned_by IS NULL ORDER BY seq",
      );
      expect(hidden.map((r) => Number(r.seq))).not.toContain(seq);
      const v = await verify();
      expect(v).toMatchObject({ ok: false, firstBadSeq: seq });
      expect(v.reason).toMatch(/deleted without a receipt/);
    },
  );

  it("a value swapped, even with a salt of its own, does not open the commitment", async () => {
    ({ env } = await setup(dialect));
    const seq = Number((await rowsOf(env))[3]!.seq);
    attacker = await env.store.attacker();
    const off =
      dialect === "sqlite" ? "DROP TRIGGER entry_secrets_no_update" : "ALTER TABLE entry_secrets DISABLE TRIGGER USER";
    await attacker.exec(off);
    await attacker.exec(
      `UPDATE entry_secrets SET value = '"10.0.0.1"' WHERE seq = ${seq} AND pointer = '/requester/ip'`,
    );
    const v = await verify();
    expect(v).toMatchObject({ ok: false, firstBadSeq: seq });
    expect(v.reason).toMatch(/does not open its commitment/);
  });
});
