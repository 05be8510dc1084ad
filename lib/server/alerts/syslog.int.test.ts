import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validateEvent } from "@/lib/schemas/event.ts";
import { startRsyslog, type Rsyslog } from "@/test/support/rsyslog.ts";
import { event, freshLedger } from "@/test/support/stores.ts";
import { systemPrincipal } from "../auth/principal.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { AlertEngine } from "./engine.ts";
import { createAlertRule } from "./service.ts";

// Alert notices to Debian's rsyslogd, a real receiver, over TCP and TLS: a firing arrives as
// one RFC 5424 message (facility 4, severity alert), MSGID `alert`, with the rule and alert
// in its structured data and the notice JSON as the message.

const MESSAGE =
  /^<33>1 (\S+) (\S+) ledgerline - alert \[ledgerline-alert@32473 rule="syslog-denied" alertId="([0-9a-f-]{36})" state="firing" value="2" threshold="2"\] \uFEFF?\[FIRING\] syslog-denied — .* (\{.*\})$/;

describe.each([false, true])("alert delivery to rsyslogd (TLS %s)", (tls) => {
  let rt: Runtime;
  let cleanup: () => Promise<void>;
  let rx: Rsyslog;

  beforeEach(async () => {
    ({ ledger: rt, cleanup } = await freshLedger("sqlite"));
    rx = await startRsyslog({ tls });
  });
  afterEach(async () => {
    await rx.stop();
    await cleanup();
  });

  async function firstLine(): Promise<string> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const text = fs.existsSync(rx.file) ? fs.readFileSync(rx.file, "utf8") : "";
      const line = text.split("\n").find(Boolean);
      if (line || Date.now() > deadline) return line ?? "";
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it("sends a firing as one RFC 5424 message carrying the notice", async () => {
    await createAlertRule(rt, systemPrincipal("admin@test"), {
      name: "syslog-denied",
      filter: { outcome: ["denied"] },
      condition: { kind: "count", windowMinutes: 10, threshold: 2 },
      channels: [{ kind: "syslog", address: `127.0.0.1:${rx.port}`, tls, ...(rx.ca ? { ca: rx.ca } : {}) }],
    });
    const denied = Array.from({ length: 2 }, () => {
      const v = validateEvent(event({ timestamp: new Date().toISOString(), outcome: "denied" }));
      if (!v.ok) throw new Error("fixture");
      return v.event;
    });
    await rt.sequencer.append("spiffe://t.example/ns/shop/sa/orders", denied);
    const r = await new AlertEngine(rt, { evaluateEveryMs: 0, smtpUrl: undefined, from: "a@test" }).pass();
    expect(r).toMatchObject({ fired: 1, delivered: 1, failed: 0 });
    const m = MESSAGE.exec(await firstLine());
    expect(m, "an RFC 5424 alert message").not.toBeNull();
    const notice = JSON.parse(m![4]!) as { type: string; alert: { id: string; firedSeq: number } };
    expect(notice.type).toBe("ledgerline.alert.fired");
    expect(notice.alert.id).toBe(m![3]);
    expect(notice.alert.firedSeq).toBeGreaterThan(2);
  });
});
