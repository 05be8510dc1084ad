import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readZip } from "@/lib/core/zip/read.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { bundleFile } from "../bundles/build.ts";
import { whenBundlesIdle } from "../bundles/queue.ts";
import { memoryMember, writeZip } from "../bundles/zip-writer.ts";
import { countEvents } from "../events/search.ts";
import { createIngestKey } from "../ingest/ingest-keys.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { createView } from "../views/service.ts";
import { DIALECTS, event, freshLedger, sessionUser } from "@/test/support/stores.ts";
import { runDueReviews } from "./scheduler.ts";
import { listReviews, markReviewed, periodFilter, scheduleReview } from "./service.ts";

// A daily review pack made by the scheduler on a fake clock, on both stores: one pack per
// period however often it ticks, one catch-up run after downtime, a bundle that the real
// `ledgerline verify-bundle` (a separate process) verifies with report.html and report.pdf
// inside, figures equal to the explorer's count, and a sign-off that is a log entry.

const root = path.resolve(import.meta.dirname, "../../..");
const bin = path.join(root, "bin/ledgerline.mjs");
const auditor = sessionUser("auditor");
const at = (s: string) => Date.parse(s);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function append(rt: Runtime, source: string, raw: Array<Record<string, unknown>>) {
  const events = raw.map((r) => {
    const v = validateEvent(event(r));
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    return v.event;
  });
  const r = await rt.sequencer.append(source, events);
  if (!r.ok) throw new Error("append failed");
}

/** Berlin's 2 December (2026-12-01T23:00Z to 2026-12-02T23:00Z): 5 payments entries inside, 2 outside. */
async function seed(rt: Runtime) {
  const pay = (ts: string, outcome: string, requester = "spiffe://shop/sa/orders") => ({
    timestamp: ts,
    outcome,
    requester: { id: requester, type: "service" },
    target: { id: `db://cards/${ts}`, service: "payments", type: "db" },
  });
  await append(rt, "spiffe://test/src", [
    pay("2026-11-20T10:00:00.000Z", "success"), // earlier: orders is not new on 2 Dec
    pay("2026-12-01T22:30:00.000Z", "denied"), // 1 Dec local
    pay("2026-12-01T23:00:00.000Z", "success"),
    pay("2026-12-02T09:00:00.000Z", "denied", "spiffe://shop/sa/intruder"),
    pay("2026-12-02T09:05:00.000Z", "denied", "spiffe://shop/sa/intruder"),
    pay("2026-12-02T12:00:00.000Z", "success"),
    pay("2026-12-02T22:59:59.999Z", "failure"),
    pay("2026-12-02T23:00:00.000Z", "success"), // 3 Dec local
    { timestamp: "2026-12-02T10:00:00.000Z", target: { id: "search://x", service: "search", type: "api" } },
  ]);
  await append(rt, "ledgerline:alerts", [
    {
      timestamp: "2026-12-02T09:06:00.000Z",
      eventType: "write",
      action: "alert.fired",
      requester: { id: "ledgerline-alerts", type: "service" },
      target: { id: "ledgerline:alerts/r1", service: "ledgerline", type: "alert" },
      attributes: { ruleId: "r1", ruleName: "Denied spike", alertId: "a1" },
    },
  ]);
  await createIngestKey(rt, systemPrincipal("test@localhost"), "spiffe://test/silent");
  await rt.db.writeTransaction((tx) => tx.run("UPDATE ingest_keys SET created_at = ?", ["2026-11-01T00:00:00.000Z"]));
}

async function scheduled(rt: Runtime) {
  const view = await createView(rt, auditor, {
    name: "Payments",
    query: "service=payments&outcome=success&outcome=denied&outcome=failure",
    columns: ["seq", "ts"],
  });
  const s = await scheduleReview(rt, auditor, { viewId: view.id, frequency: "daily", timeZone: "Europe/Berlin" });
  // The schedule "was made" on 1 December, so the fake clock's periods are owed.
  await rt.db.writeTransaction((tx) =>
    tx.run("UPDATE review_schedules SET created_at = ? WHERE id = ?", ["2026-12-01T00:00:00.000Z", s.id]),
  );
  return { ...s, createdAt: "2026-12-01T00:00:00.000Z" };
}

function verifyCli(zip: string, key: string) {
  return spawnSync(process.execPath, [bin, "verify-bundle", zip, "--key", key], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
}

describe.each(DIALECTS)("scheduled review packs (%s)", (dialect) => {
  it("runs each period once on a fake clock, catches up once, and the real verify-bundle verifies the pack", async () => {
    const t = await freshLedger(dialect);
    cleanups.push(t.cleanup);
    const rt = t.ledger;
    await seed(rt);
    const s = await scheduled(rt);
    let now = at("2026-12-03T00:10:00Z"); // 01:10 on 3 December in Berlin
    const clock = () => now;
    const first = await runDueReviews(rt, clock);
    expect(first).toHaveLength(1);
    expect(await runDueReviews(rt, clock)).toHaveLength(0); // the same period is never run twice
    const pack = first[0]!.pack;
    expect([pack.periodStart, pack.periodEnd]).toEqual(["2026-12-01T23:00:00.000Z", "2026-12-02T23:00:00.000Z"]);
    await whenBundlesIdle(rt);

    const { packs } = await listReviews(rt, auditor, now);
    const ready = packs.find((p) => p.id === pack.id)!;
    expect(ready.status, ready.error ?? "").toBe("ready");
    expect(ready.count).toBe(5);
    const filter = periodFilter(s, { start: at(pack.periodStart), end: at(pack.periodEnd) }, now);
    expect(await countEvents(rt, auditor, filter)).toBe(5); // the explorer's count of the same filter

    const zipPath = bundleFile(rt.config.dataDir, pack.bundleId);
    const key = (await rt.signingKey()).verifierKey;
    const v = verifyCli(zipPath, key);
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(v.stdout).toContain("VERIFIED");
    const files = readZip(new Uint8Array(fs.readFileSync(zipPath)));
    if (!files.ok) throw new Error(files.reason);
    const html = new TextDecoder().decode(files.files.get("report.html"));
    expect(html).toContain("<strong>5</strong>");
    expect(html).toMatch(/2 denied/);
    expect(html).toContain("spiffe://shop/sa/intruder"); // a new identity, and the top denied requester
    expect(html).toContain("spiffe://test/silent"); // a silent source
    expect(html).toContain("Denied spike"); // the alert of the period
    expect(html).not.toMatch(/(src|href)=|https?:\/\/|@import|url\(/); // self-contained
    expect(new TextDecoder().decode(files.files.get("report.pdf")!.slice(0, 5))).toBe("%PDF-");
    const manifest = JSON.parse(new TextDecoder().decode(files.files.get("manifest.json")));
    expect(manifest.review).toMatchObject({
      scheduleId: s.id,
      periodStart: pack.periodStart,
      timeZone: "Europe/Berlin",
    });

    // A report changed after signing fails the real verifier (check 2: SHA256SUMS).
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ll-review-")), "bad.zip");
    const changed = new Map(files.files);
    changed.set("report.html", new TextEncoder().encode(html.replace("<strong>5</strong>", "<strong>3</strong>")));
    await writeZip(
      bad,
      [...changed].map(([n, d]) => memoryMember(n, d)),
      new Date(),
    );
    const tampered = verifyCli(bad, key);
    expect(tampered.status, tampered.stdout).toBe(1);
    expect(tampered.stdout).toContain("report.html: FAILED");

    // Three days down: one catch-up run, for the last ended period, that says what it missed.
    now = at("2026-12-06T12:00:00Z");
    const caught = await runDueReviews(rt, clock);
    expect(caught.map((r) => r.pack.periodStart)).toEqual(["2026-12-04T23:00:00.000Z"]);
    expect(await runDueReviews(rt, clock)).toHaveLength(0);
    const runEntry = await rt.db.get<{ attributes: string; source: string }>(
      "SELECT attributes, source FROM entries WHERE action = 'reviews.run' ORDER BY seq DESC LIMIT 1",
    );
    expect(runEntry!.source).toBe("ledgerline:reviews");
    expect(JSON.parse(runEntry!.attributes).missedPeriods).toBe(2);
    await whenBundlesIdle(rt);
  });

  it("records a sign-off in the log, once, by a role that may review", async () => {
    const t = await freshLedger(dialect);
    cleanups.push(t.cleanup);
    const rt = t.ledger;
    await seed(rt);
    await scheduled(rt);
    const [run] = await runDueReviews(rt, () => at("2026-12-03T00:10:00Z"));
    await expect(markReviewed(rt, auditor, run!.pack.id, { comment: "Too early" })).rejects.toThrow(/sign it off once/);
    await whenBundlesIdle(rt);
    await expect(markReviewed(rt, sessionUser("analyst"), run!.pack.id, { comment: "x ok" })).rejects.toThrow(
      /does not allow reviews:signoff/,
    );
    await expect(markReviewed(rt, auditor, run!.pack.id, {})).rejects.toThrow(/comment is required/);
    const done = await markReviewed(rt, auditor, run!.pack.id, { comment: "Two denials by intruder: ticket SEC-12" });
    expect(done.review).toMatchObject({ by: "auditor@test", comment: "Two denials by intruder: ticket SEC-12" });
    const entry = await rt.db.get<{ action: string; requester_id: string; reason: string; attributes: string }>(
      "SELECT action, requester_id, reason, attributes FROM entries WHERE seq = ?",
      [done.review!.seq],
    );
    expect(entry).toMatchObject({ action: "reviews.signoff", requester_id: "auditor@test" });
    expect(entry!.reason).toBe("Two denials by intruder: ticket SEC-12");
    expect(JSON.parse(entry!.attributes)).toMatchObject({ packId: run!.pack.id, bundleId: run!.pack.bundleId });
    await expect(markReviewed(rt, sessionUser("admin"), run!.pack.id, { comment: "again" })).rejects.toThrow(
      /already reviewed by auditor@test/,
    );
    await expect(listReviews(rt, sessionUser("analyst"))).rejects.toThrow(/does not allow reviews:read/);
  });
});
