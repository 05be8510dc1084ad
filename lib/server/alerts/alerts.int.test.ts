import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyWebhookBody } from "@/lib/core/webhook-signature.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import type { AlertRuleInput } from "@/lib/schemas/alerts.ts";
import { startLineProcess, waitForLines, type LineProcess } from "@/test/support/line-process.ts";
import { DIALECTS, event, freshLedger, sessionUser, sourceEntries } from "@/test/support/stores.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { recordAudit } from "../audit/audit-trail.ts";
import { VERIFIER_ACTOR } from "../integrity/alerts.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { AlertEngine } from "./engine.ts";
import { acknowledgeAlert, createAlertRule, listAlerts, resolveAlert } from "./service.ts";

// Alert rules against real stores, with the receivers as real processes: a baseline rule
// fires on a generated spike of denials and resolves once it is over; a silent source is
// found on a moved clock, not by sleeping; firings, acknowledgements and resolutions are
// log entries; one open alert per rule and key; deliveries reach a signed webhook, a
// Slack-compatible endpoint and an SMTP server, and a failed one is retried.

const admin = systemPrincipal("admin@test");
const SRC = "spiffe://test.example/ns/shop/sa/orders";
const MIN = 60_000;

async function append(rt: Runtime, source: string, events: Array<Record<string, unknown>>) {
  const valid = events.map((e) => {
    const v = validateEvent(e);
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    return v.event;
  });
  const r = await rt.sequencer.append(source, valid);
  if (!r.ok) throw new Error("conflict");
}

const denied = (tsMs: number, n: number) =>
  Array.from({ length: n }, () => event({ timestamp: new Date(tsMs).toISOString(), outcome: "denied" }));

const alertEntries = async (rt: Runtime) =>
  (await sourceEntries(rt, "ledgerline:alerts")).map((e) => ({
    action: e.action,
    requester: e.requester.id,
    attributes: e.attributes as Record<string, unknown>,
  }));

describe.each(DIALECTS)("alert rules on %s", (dialect) => {
  let rt: Runtime;
  let cleanup: () => Promise<void>;
  let now = Date.now();
  const receivers: LineProcess[] = [];
  const engine = (smtpUrl?: string) =>
    new AlertEngine(rt, { evaluateEveryMs: 0, smtpUrl, from: "alerts@ledgerline.test", now: () => now });

  beforeEach(async () => {
    ({ ledger: rt, cleanup } = await freshLedger(dialect));
    now = Date.now();
  });
  afterEach(async () => {
    for (const r of receivers.splice(0)) r.stop();
    await cleanup();
  });

  it("fires a baseline rule on a denied spike, once, delivers it signed and to Slack, and resolves after", async () => {
    const hook = await startLineProcess("webhook-receiver.mjs");
    receivers.push(hook);
    const rule: AlertRuleInput = {
      name: "denied-spike",
      filter: { outcome: ["denied"], source: SRC },
      condition: { kind: "baseline", windowMinutes: 60, factor: 3, minCount: 10, days: 7 },
      channels: [
        { kind: "webhook", url: `${hook.url}/hook` },
        { kind: "slack", url: `${hook.url}/slack` },
      ],
    };
    expect((await createAlertRule(rt, admin, rule)).readsRollup).toBe(true);
    // Two denials at this time of day on each of the last 7 days; 30 now.
    for (let d = 1; d <= 7; d++) await append(rt, SRC, denied(now - d * 86_400_000 - 5 * MIN, 2));
    const e = engine();
    expect((await e.pass()).fired).toBe(0);
    await append(rt, SRC, denied(now - 5 * MIN, 30));
    expect((await e.pass()).fired).toBe(1);
    expect((await e.pass()).fired).toBe(0); // de-duplicated: still the one open alert
    const open = await listAlerts(rt, admin, { state: "open" });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ ruleName: "denied-spike", state: "firing", value: 30, threshold: 10 });
    expect(open[0]!.deliveries.map((d) => [d.kind, d.state])).toEqual([
      ["webhook", "sent"],
      ["slack", "sent"],
    ]);

    now += 2 * 60 * MIN; // the spike leaves the window
    await e.pass();
    expect(await listAlerts(rt, admin, { state: "open" })).toEqual([]);
    const log = await alertEntries(rt);
    expect(log.map((l) => l.action)).toEqual(["alert.fired", "alert.resolved"]);
    expect(log[0]!.attributes).toMatchObject({ ruleName: "denied-spike", alertId: open[0]!.id, value: 30 });
    expect(open[0]!.firedSeq).toBeGreaterThan(0);

    const lines = (await waitForLines(hook, 4)) as Array<{ path: string; signature: string; body: string }>;
    const key = await rt.signingKey();
    const signed = lines.filter((l) => l.path === "/hook");
    expect(signed.map((l) => JSON.parse(l.body).type)).toEqual(["ledgerline.alert.fired", "ledgerline.alert.resolved"]);
    for (const l of signed) expect(verifyWebhookBody(l.body, l.signature, key.publicKey)).toBe(true);
    const slack = JSON.parse(lines.find((l) => l.path === "/slack")!.body) as { text: string; blocks: unknown[] };
    expect(slack.text).toContain("[FIRING] denied-spike");
    expect(slack.blocks.length).toBeGreaterThan(1);
  });

  it("finds a silent source on a moved clock and resolves when it sends again", async () => {
    await append(rt, SRC, [event()]);
    now = Date.now();
    await createAlertRule(rt, admin, {
      name: "orders-heartbeat",
      filter: { source: SRC },
      condition: { kind: "silent", minutes: 15 },
    });
    const e = engine();
    now += 14 * MIN;
    expect((await e.pass()).fired).toBe(0);
    now += 2 * MIN;
    expect((await e.pass()).fired).toBe(1);
    const [a] = await listAlerts(rt, admin, { state: "open" });
    expect(a).toMatchObject({ key: SRC, value: 16, threshold: 15 });
    // It sends again (received now, by the server's clock); the moved clock is a minute later.
    await append(rt, SRC, [event()]);
    now = Date.now() + MIN;
    await e.pass();
    expect(await listAlerts(rt, admin, { state: "open" })).toEqual([]);
  });

  it("logs acknowledgement and resolution by a person; auditors may read but not act", async () => {
    await createAlertRule(rt, admin, {
      name: "any-denied",
      filter: { outcome: ["denied"] },
      condition: { kind: "count", windowMinutes: 10, threshold: 3 },
    });
    await append(rt, SRC, denied(now, 3));
    await engine().pass();
    const [a] = await listAlerts(rt, sessionUser("auditor"), { state: "open" });
    await expect(acknowledgeAlert(rt, sessionUser("auditor"), a!.id)).rejects.toMatchObject({ code: "forbidden" });
    await expect(
      createAlertRule(rt, sessionUser("analyst"), { name: "x", condition: { kind: "integrity" } }),
    ).rejects.toMatchObject({ code: "forbidden" });
    await acknowledgeAlert(rt, sessionUser("analyst"), a!.id, { comment: "looking" });
    await expect(acknowledgeAlert(rt, sessionUser("analyst"), a!.id)).rejects.toMatchObject({ code: "conflict" });
    await resolveAlert(rt, sessionUser("admin"), a!.id, { comment: "scanner test" });
    const log = await alertEntries(rt);
    expect(log.map((l) => [l.action, l.requester])).toEqual([
      ["alert.fired", "ledgerline-alerts"],
      ["alert.acknowledged", "analyst@test"],
      ["alert.resolved", "admin@test"],
    ]);
    expect(log[1]!.attributes).toMatchObject({ alertId: a!.id, ruleName: "any-denied", comment: "looking" });
    // Still denied in the window, but a person resolved it: the next pass opens a new one.
    expect((await engine().pass()).fired).toBe(1);
  });

  it("fires on a logged integrity failure and leaves it open until a person resolves it", async () => {
    await createAlertRule(rt, admin, { name: "integrity", condition: { kind: "integrity" } });
    const e = engine();
    expect((await e.pass()).fired).toBe(0);
    await recordAudit(rt, VERIFIER_ACTOR, {
      action: "integrity.failed",
      eventType: "execute",
      outcome: "failure",
      target: { id: "ledgerline://integrity", type: "integrity" },
      reason: "leaf hash mismatch",
    });
    expect((await e.pass()).fired).toBe(1);
    now += 24 * 60 * MIN;
    await e.pass();
    expect(await listAlerts(rt, admin, { state: "open" })).toHaveLength(1);
  });

  it("emails through an SMTP server and retries a failed delivery with back-off", async () => {
    const smtp = await startLineProcess("smtp-server.mjs", { FAIL_FIRST: "1" });
    receivers.push(smtp);
    await createAlertRule(rt, admin, {
      name: "mail-me",
      filter: { outcome: ["denied"] },
      condition: { kind: "count", windowMinutes: 10, threshold: 1 },
      channels: [{ kind: "email", to: ["oncall@example.test", "ciso@example.test"] }],
    });
    await append(rt, SRC, denied(now, 1));
    const e = engine(`smtp://127.0.0.1:${smtp.port}`);
    await e.pass();
    let [a] = await listAlerts(rt, admin, { state: "open" });
    expect(a!.deliveries[0]).toMatchObject({ kind: "email", state: "pending", attempts: 1 });
    expect(a!.deliveries[0]!.lastError).toContain("451");
    await e.deliver(); // not due yet: back-off
    expect(smtp.lines).toHaveLength(0);
    now += 6000;
    await e.deliver();
    [a] = await listAlerts(rt, admin, { state: "open" });
    expect(a!.deliveries[0]).toMatchObject({ state: "sent", attempts: 2 });
    const [mail] = (await waitForLines(smtp, 1)) as Array<{
      from: string;
      to: string[];
      data: string;
      errors: string[];
    }>;
    expect(mail).toMatchObject({
      from: "alerts@ledgerline.test",
      to: ["oncall@example.test", "ciso@example.test"],
      errors: [],
    });
    const unfolded = mail!.data.replace(/\r\n[ \t]+/g, " ");
    expect(unfolded).toMatch(/^Subject: \[Ledgerline\] \[FIRING\] mail-me - 1 matching entries/m);
    expect(mail!.data).toContain(`Alert id:   ${a!.id}`);
  });
});
