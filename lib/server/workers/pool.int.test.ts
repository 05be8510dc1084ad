import { afterEach, describe, expect, it } from "vitest";
import { canonicalJson, joinEntry } from "@/lib/core/index.ts";
import { event } from "@/test/support/stores.ts";
import { createWorkerPool, type WorkerPool } from "./pool.ts";

// The pool runs prepareBatch in real worker threads (started from the sources
// with tsx here; bundled by Next.js under next start — e2e and stress cover that).

describe("worker pool", () => {
  let pool: WorkerPool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  it("prepares batches in worker threads: canonical parts that join to the entry's JCS, errors as in-process", async () => {
    const logs: string[] = [];
    pool = createWorkerPool(2, (m) => logs.push(m));
    const sent = Array.from({ length: 50 }, (_, i) => event({ id: `w-${i}`, attributes: { n: i, b: [true, null] } }));
    const body = new TextEncoder().encode(JSON.stringify(sent));
    const input = { body, contentType: "application/json", traceparent: null, now: Date.now(), maxItems: 1000 };
    const results = await Promise.all(Array.from({ length: 8 }, () => pool!.prepare(input)));
    expect(logs).toEqual([]);
    expect(pool.size).toBe(2);
    for (const r of results) {
      if (!r.ok) throw new Error(r.detail);
      expect(r.events).toHaveLength(50);
      const p = r.events[7]!;
      expect(p.id).toBe("w-7");
      const entry = { ...(sent[7] as object), receivedAt: "2026-01-01T00:00:00.000Z", seq: 8, source: "spiffe://x" };
      expect(joinEntry(p.parts, "w-7", "2026-01-01T00:00:00.000Z", 8, "spiffe://x")).toBe(canonicalJson(entry));
    }
    const bad = await pool.prepare({ ...input, body: new TextEncoder().encode('[{"id":"x"}]') });
    expect(bad).toMatchObject({ ok: false, code: "validation" });
    const notUtf8 = await pool.prepare({ ...input, body: Uint8Array.of(0xff, 0xfe) });
    expect(notUtf8).toMatchObject({ ok: false, code: "bad_request", detail: "The request body is not valid UTF-8." });
  });

  it("size 0 runs in-process", async () => {
    pool = createWorkerPool(0);
    const r = await pool.prepare({
      body: new TextEncoder().encode(JSON.stringify(event())),
      contentType: "application/json",
      traceparent: null,
      now: Date.now(),
      maxItems: 10,
    });
    expect(r.ok).toBe(true);
    expect(pool.size).toBe(0);
  });
});
