import { afterEach, describe, expect, it } from "vitest";
import { fromBase64, verifyConsistency, verifyInclusion } from "@/lib/core/index.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { storeBytes } from "@/test/support/store-bytes.ts";
import { DIALECTS, event, freshLedger, type Attacker, type Dialect } from "@/test/support/stores.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { queryEvents } from "../events/query.ts";
import { viewEvent } from "../events/search.ts";
import { verifyLog } from "../ledger/verify.ts";
import { entryAt } from "../ledger/store/entries.ts";
import { consistencyProof, inclusionProof } from "../transparency/proofs.ts";
import { readEntryBundle, readHashTile } from "../tlog/tiles.ts";
import { placeLegalHold, setRetentionPolicy } from "./policies.ts";
import { appendPruneReceipt, planPrune, runPrune } from "./prune.ts";
import { dueWhere } from "./due.ts";
import { listHolds, listPolicies } from "./store.ts";
import type { EntryRow } from "../ledger/entry.ts";

// Issue 18 part 1: prune bodies past retention with a receipt first, keep held
// entries, and every proof, tile and verify-log still verifies — on both stores.

const admin = systemPrincipal("root@test");
const OLD = "spiffe://old-marker-7f3a/ns/legacy";
const HELD = "spiffe://held-marker-2c9d/ns/case";

const ev = (over: Record<string, unknown>) => {
  const r = validateEvent(event(over));
  if (!r.ok) throw new Error("bad fixture");
  return r.event;
};
const old = (i: number, requester = OLD) =>
  ev({
    timestamp: new Date(Date.UTC(2023, 0, 1, 0, 0, i)).toISOString(),
    requester: { id: requester, type: "service", ip: "10.9.8.7" },
  });

/** A fresh store with 260 old entries (20 held) and 40 new ones, a 400-day default policy and a hold. */
async function setup(dialect: Dialect) {
  const env = await freshLedger(dialect, {
    LEDGERLINE_ORIGIN: "test.example/prune",
    LEDGERLINE_CHECKPOINT_EVERY: "1000000",
  });
  const l = env.ledger;
  await l.sequencer.append("spiffe://test/a", [
    ...Array.from({ length: 150 }, (_, i) => old(i)),
    ...Array.from({ length: 20 }, (_, i) => old(200 + i, HELD)),
    ...Array.from({ length: 90 }, (_, i) => old(300 + i)),
  ]);
  const first = (await l.sequencer.checkpoint())!;
  await l.sequencer.append(
    "spiffe://test/a",
    Array.from({ length: 40 }, () => ev({})),
  );
  await setRetentionPolicy(l, admin, "default", { days: 400 });
  await placeLegalHold(l, admin, { filter: { requester: HELD }, reason: "litigation hold", caseRef: "CASE-42" });
  return { env, first };
}

function harness(dialect: Dialect) {
  const h = {
    env: undefined as unknown as Awaited<ReturnType<typeof freshLedger>>,
    attacker: undefined as Attacker | undefined,
    async build() {
      const r = await setup(dialect);
      h.env = r.env;
      return { first: r.first };
    },
    async verify() {
      const key = await h.env.ledger.signingKey();
      return verifyLog(h.env.ledger.db, { origin: "test.example/prune", verifiers: [key] });
    },
  };
  afterEach(async () => {
    await h.attacker?.close();
    h.attacker = undefined;
    await h.env.cleanup();
  });
  return h;
}

describe.each(DIALECTS)("retention prune on %s", (dialect) => {
  const h = harness(dialect);

  it("prunes with receipts, keeps held entries, and every proof, tile and verify-log still verifies", async () => {
    const { first } = await h.build();
    const plan = await planPrune(h.env.ledger, admin);
    expect(plan).toEqual([expect.objectContaining({ policy: "default", days: 400, due: 240, held: 20 })]);
    const report = await runPrune(h.env.ledger, admin, { batch: 100 });
    expect(report.pruned).toBe(240);
    expect(report.receipts).toHaveLength(3);
    const second = await h.env.ledger.sequencer.checkpoint();

    expect(await h.verify()).toMatchObject({ ok: true, reason: null });
    const pruned = (await entryAt(h.env.ledger.db, 5)) as EntryRow;
    expect(pruned).toMatchObject({ requester_id: "", attributes: null, pruned_by: report.receipts[0] });
    // The entry page's view: what pruned it, and no canonical bytes.
    const detail = await viewEvent(h.env.ledger, admin, 5);
    expect(detail).toMatchObject({ canonicalJson: "", pruned: { receiptSeq: report.receipts[0], policy: "default" } });
    const held = (await entryAt(h.env.ledger.db, 151)) as EntryRow;
    expect(held).toMatchObject({ requester_id: HELD, pruned_by: null });

    // Inclusion of a pruned entry in both checkpoints, and their consistency.
    for (const cp of [first, second!]) {
      const proof = await inclusionProof(h.env.ledger, 5, cp.treeSize);
      const ok = verifyInclusion(4, cp.treeSize, fromBase64(proof.leafHash), proof.path.map(fromBase64), cp.rootHash);
      expect(ok).toBe(true);
    }
    const c = await consistencyProof(h.env.ledger, first.treeSize, second!.treeSize);
    expect(
      verifyConsistency(first.treeSize, second!.treeSize, first.rootHash, second!.rootHash, c.path.map(fromBase64)),
    ).toBe(true);
    // Hash tile 0 still serves every leaf hash; the entry bundle over pruned seqs is refused by name.
    expect((await readHashTile(h.env.ledger.db, 0, 0, 256)).length).toBe(256 * 32);
    await expect(readEntryBundle(h.env.ledger.db, 0, 256)).rejects.toThrow(/pruned by retention policy/);

    // Filters never match pruned bodies (the claimed time and source are kept, but no filter sees them).
    const page = await queryEvents(
      h.env.ledger,
      { source: "spiffe://test/a", to: "2024-01-01T00:00:00.000Z" },
      { sort: "seq", limit: 500 },
    );
    expect(page.items.map((e) => e.requester.id)).toEqual(Array(20).fill(HELD));
    // A second run has nothing left to do.
    expect((await runPrune(h.env.ledger, admin)).pruned).toBe(0);
  });

  it("finishes a receipt whose bodies a crashed run left in place", async () => {
    await h.build();
    const [pol] = await listPolicies(h.env.ledger.db);
    const where = dueWhere(dialect, pol!, [pol!], await listHolds(h.env.ledger.db), Date.now())!;
    const rows = await h.env.ledger.db.all<EntryRow>(
      `SELECT * FROM entries WHERE ${where.sql} ORDER BY seq LIMIT 50`,
      where.params,
    );
    const b = await appendPruneReceipt(h.env.ledger, admin, pol!, rows, "2024-01-01T00:00:00.000Z");
    // The receipt is in the log, no body cleared yet: the log still verifies (a receipt is a promise, not a loss).
    expect(await h.verify()).toMatchObject({ ok: true });
    const report = await runPrune(h.env.ledger, admin, { batch: 1000 });
    expect(report.resumed).toEqual([b.seq]);
    expect(report.pruned).toBe(190);
    expect(await h.verify()).toMatchObject({ ok: true });
  });
});

describe.each(DIALECTS)("retention guards and tampering on %s", (dialect) => {
  const h = harness(dialect);

  it("the database refuses an ad-hoc DELETE or UPDATE of entries, even one shaped like a prune", async () => {
    await h.build();
    const { receipts } = await runPrune(h.env.ledger, admin, { batch: 100 });
    h.attacker = await h.env.store.attacker();
    // Shaped exactly like a prune, naming a real receipt — but no receipt lists seq 152 (held).
    const clear = `UPDATE entries SET event_type = '', requester_id = '', requester_type = '', requester_ip = NULL,
      target_id = '', target_service = NULL, target_type = NULL, action = NULL, outcome = '', correlation_id = NULL,
      reason = NULL, attributes = NULL, pruned_by = ${receipts[0]} WHERE seq = 152`;
    for (const sql of [
      "DELETE FROM entries WHERE seq = 3",
      "UPDATE entries SET requester_id = 'x' WHERE seq = 152",
      "UPDATE entries SET ts = '2020-01-01T00:00:00.000Z' WHERE seq = 3",
      clear,
      "DELETE FROM pruned_ranges",
    ]) {
      await expect(h.attacker!.exec(sql), sql).rejects.toThrow(/append-only/);
    }
  });

  it("names a body deleted without a receipt as tampering (guard dropped)", async () => {
    await h.build();
    await runPrune(h.env.ledger, admin, { batch: 100 });
    expect(await h.verify()).toMatchObject({ ok: true });
    h.attacker = await h.env.store.attacker();
    const off = dialect === "sqlite" ? "DROP TRIGGER entries_no_update" : "ALTER TABLE entries DISABLE TRIGGER USER";
    await h.attacker!.exec(off);
    // Marked pruned under a real receipt that does not list it.
    const r = (await runPrune(h.env.ledger, admin, { dryRun: true })).plan;
    expect(r[0]!.held).toBe(20);
    const receipt = Number(((await entryAt(h.env.ledger.db, 5)) as EntryRow).pruned_by);
    await h.attacker!.exec(
      `UPDATE entries SET requester_id = '', attributes = NULL, pruned_by = ${receipt} WHERE seq = 160`,
    );
    const v = await h.verify();
    expect(v).toMatchObject({ ok: false, firstBadSeq: 160 });
    expect(v.reason).toMatch(/body deleted without a receipt/);
  });

  it("a body cleared without marking it pruned is a modified entry", async () => {
    await h.build();
    h.attacker = await h.env.store.attacker();
    const off = dialect === "sqlite" ? "DROP TRIGGER entries_no_update" : "ALTER TABLE entries DISABLE TRIGGER USER";
    await h.attacker!.exec(off);
    await h.attacker!.exec("UPDATE entries SET requester_id = '', attributes = NULL WHERE seq = 7");
    const v = await h.verify();
    expect(v).toMatchObject({ ok: false, firstBadSeq: 7 });
  });

  it("pruned values are gone from the database files after VACUUM (held ones stay)", async () => {
    await h.build();
    await runPrune(h.env.ledger, admin, { batch: 100 });
    h.attacker = await h.env.store.attacker();
    const found = await storeBytes(h.env.store, h.attacker);
    expect(found.includes(Buffer.from(OLD))).toBe(false);
    expect(found.includes(Buffer.from(HELD))).toBe(true);
  });
});
