import crypto from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { entryLeafHash, fromBase64, toBase64 } from "@/lib/core/index.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { DIALECTS, event, freshLedger } from "@/test/support/stores.ts";
import { received, startReceiver, type Receiver } from "@/test/support/siem-receiver.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { SiemStreamer } from "./streamer.ts";
import { destinationById, insertDestination, setCursorAndState } from "./store.ts";
import type { SiemKind } from "@/lib/core/siem/wire.ts";

// The streamer against real stores and a real receiver process that checks the HEC,
// _bulk and NDJSON wire formats: every covered entry arrives once per kind with proof
// fields that recompute; an outage is retried and caught up with nothing lost; after
// too many failures the destination is parked as dead-letter, logged, and resumes.

describe.each(DIALECTS)("SIEM streaming on %s", (dialect) => {
  let ledger: Runtime;
  let cleanup: () => Promise<void>;
  let rx: Receiver;
  const logs: string[] = [];
  const streamer = () => new SiemStreamer(ledger, { maxAttempts: 3, batch: 40, log: (m) => logs.push(m) });

  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger(dialect));
    rx = await startReceiver();
  });
  afterEach(async () => {
    rx.proc.kill();
    await cleanup();
  });

  async function appendCovered(n: number, over: Record<string, unknown> = {}) {
    const events = Array.from({ length: n }, (_, i) => {
      const r = validateEvent(event({ id: `s-${crypto.randomUUID()}-${i}`, ...over }));
      if (!r.ok) throw new Error("fixture");
      return r.event;
    });
    const r = await ledger.sequencer.append("spiffe://t.example/ns/shop/sa/orders", events);
    if (!r.ok) throw new Error("append failed");
    await ledger.sequencer.checkpoint();
  }

  async function addDestination(kind: SiemKind, url: string, secret: string | null = null) {
    const id = crypto.randomUUID();
    await insertDestination(
      ledger.db,
      {
        id,
        name: kind,
        kind,
        format: "native",
        url,
        options: { index: "audit" },
        secret,
        cursorSeq: 0,
        createdBy: "t",
      },
      new Date().toISOString(),
    );
    return id;
  }

  it("delivers every covered entry to HEC, _bulk and NDJSON with proof fields that recompute", async () => {
    await appendCovered(100);
    await appendCovered(5); // …and 5 more under a second checkpoint
    const hec = await addDestination("splunk-hec", `${rx.url}/services/collector/event`, "t0k3n");
    await addDestination("elastic-bulk", `${rx.url}/_bulk`);
    await addDestination("https-ndjson", `${rx.url}/ndjson`);
    await streamer().pass();
    const got = received(rx);
    const head = (await ledger.db.get<{ n: number }>("SELECT MAX(seq) AS n FROM entries"))!.n;
    for (const kind of ["splunk-hec", "https-ndjson"] as const) {
      const recs = got
        .filter((g) => g.kind === kind)
        .map((g) => g.record as { seq: number; leafHash: string; entry: object; checkpointSize: number });
      expect(recs.map((r) => r.seq)).toEqual(Array.from({ length: Number(head) }, (_, i) => i + 1));
      for (const r of recs) {
        expect(toBase64(entryLeafHash(r.entry))).toBe(r.leafHash);
        expect(r.checkpointSize).toBeGreaterThanOrEqual(r.seq);
      }
    }
    const ecs = got
      .filter((g) => g.kind === "elastic-bulk")
      .map((g) => g.record as { ledgerline: { seq: number; leafHash: string } });
    expect(ecs).toHaveLength(Number(head));
    const stored = await ledger.db.get<{ leaf_hash: Uint8Array }>("SELECT leaf_hash FROM entries WHERE seq = 7");
    expect(fromBase64(ecs[6]!.ledgerline.leafHash)).toEqual(new Uint8Array(stored!.leaf_hash));
    expect((await destinationById(ledger.db, hec))!).toMatchObject({
      cursorSeq: Number(head),
      delivered: Number(head),
      attempts: 0,
    });
  });

  it("sends nothing a checkpoint does not cover yet", async () => {
    await appendCovered(10);
    const r = validateEvent(event({ id: "uncovered" }));
    if (!r.ok) throw new Error("fixture");
    await ledger.sequencer.append("spiffe://t/x", [r.event]);
    const id = await addDestination("https-ndjson", `${rx.url}/ndjson`);
    await streamer().pass();
    expect(received(rx).map((g) => g.record.seq)).not.toContain(11);
    expect((await destinationById(ledger.db, id))!.cursorSeq).toBe(10);
  });

  it("retries a refused batch, catches up with nothing lost, and parks a destination that keeps failing", async () => {
    await appendCovered(30);
    const id = await addDestination("splunk-hec", `${rx.url}/services/collector/event`, "t0k3n");
    await fetch(`${rx.url}/fault`, { method: "POST", body: JSON.stringify({ refuse: 1, status: 503 }) });
    const s = streamer();
    await s.pass();
    let d = (await destinationById(ledger.db, id))!;
    expect(d).toMatchObject({ cursorSeq: 0, attempts: 1, state: "active" });
    expect(d.lastError).toMatch(/answered 503/);
    // Back-off: the next try waits 1 s after the failure.
    await s.pass();
    expect(received(rx)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 1100));
    await s.pass();
    expect(received(rx).map((g) => g.record.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));

    // A wrong token fails every time: after 3 attempts the destination is parked and logged.
    await setCursorAndState(ledger.db, id, { state: "active" }, new Date().toISOString());
    await appendCovered(5);
    await ledger.db.run("UPDATE siem_destinations SET secret = 'wrong' WHERE id = ?", [id]);
    for (let i = 0; i < 3; i++) {
      await ledger.db.run("UPDATE siem_destinations SET last_error_at = '2000-01-01T00:00:00.000Z' WHERE id = ?", [id]);
      await s.pass();
    }
    d = (await destinationById(ledger.db, id))!;
    expect(d).toMatchObject({ state: "dead-letter", attempts: 3, cursorSeq: 30 });
    const logged = await ledger.db.get<{ reason: string }>(
      "SELECT reason FROM entries WHERE action = 'siem.dead-letter'",
    );
    expect(logged!.reason).toMatch(/after 3 failed attempts at the batch after seq 30: .*401/);
    // Fixed and resumed: the 5 arrive, once.
    await ledger.db.run("UPDATE siem_destinations SET secret = 't0k3n' WHERE id = ?", [id]);
    await setCursorAndState(ledger.db, id, { state: "active" }, new Date().toISOString());
    await s.pass();
    const seqs = received(rx).map((g) => g.record.seq as number);
    expect(seqs.slice(30)).toEqual([31, 32, 33, 34, 35]);
  });
});
