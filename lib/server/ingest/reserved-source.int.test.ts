import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, event, freshLedger, testApi } from "@/test/support/stores.ts";
import { CLI_SOURCE, DASHBOARD_SOURCE } from "../audit/audit-trail.ts";
import { systemPrincipal } from "../auth/principal.ts";
import { newBearerSecret } from "../auth/bearer-secrets.ts";
import { AppError } from "../errors.ts";
import { nowIso } from "../db/ids.ts";
import { createIngestKey, listIngestKeys } from "./ingest-keys.ts";
import type { Runtime } from "../runtime/runtime.ts";

// Security regression (issue 13 item 4, forged meta-audit): an admin could bind an
// ingest key to `ledgerline:dashboard` or `ledgerline:cli` and post entries that look
// exactly like the genuine records of sign-ins and admin changes. The `ledgerline:`
// namespace is now reserved: no key can be created for it, and a key already bound
// to it (created before this fix, or written into the table by hand) is refused at
// use on every ingest route — native, OTLP and Kubernetes audit.

const admin = systemPrincipal("reserved-test@localhost");
const fixture = (name: string) => fs.readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url));

describe.each(DIALECTS)("the ledgerline: source namespace on %s", (dialect) => {
  let ledger: Runtime;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger(dialect));
  });
  afterEach(async () => cleanup());

  it("no ingest key can be created for a reserved source, in any spelling", async () => {
    for (const source of [DASHBOARD_SOURCE, CLI_SOURCE, "LEDGERLINE:dashboard", "ledgerline:\u0000\ud800"]) {
      const e = await createIngestKey(ledger, admin, source).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe("validation");
      expect((e as AppError).detail).toContain("reserved for Ledgerline's own meta-audit records");
      expect((e as AppError).extras.errors).toEqual(
        expect.arrayContaining([{ pointer: "/source", detail: expect.stringContaining("reserved") }]),
      );
    }
    expect(await ledger.prisma.ingestKey.count()).toBe(0);
    // Each attempt is in the log, as the admin's.
    expect(
      await ledger.prisma.entry.count({
        where: { action: "ingest-key.create", outcome: "denied", source: CLI_SOURCE },
      }),
    ).toBe(4);
  });

  it("a key already bound to a reserved source is refused at use on every ingest route, and nothing is stored", async () => {
    // As a key made before the fix would be: straight into the table.
    const { id, secret, hash } = newBearerSecret("llk");
    await ledger.prisma.ingestKey.create({
      data: { id, source: DASHBOARD_SOURCE, secretHash: hash, description: "pre-fix", createdAt: nowIso() },
    });
    const before = await ledger.prisma.entry.count({ where: { source: DASHBOARD_SOURCE } });
    const auth = { authorization: `Bearer ${secret}`, "content-type": "application/json" };
    const forged = event({
      requester: { id: "admin@example.com", type: "user" },
      target: { id: "ledgerline://users/eve@example.com", service: "ledgerline", type: "user" },
      action: "user.set-role",
    });
    const v1 = testApi(ledger).events;
    const api = testApi(ledger);
    const responses = [
      await v1.post(
        new Request("http://x/api/v1/events", { method: "POST", headers: auth, body: JSON.stringify(forged) }),
        {},
      ),
      await api.otlp.postLogs(
        new Request("http://x/api/v1/otlp/v1/logs", {
          method: "POST",
          headers: auth,
          body: fixture("otlp/logs.json"),
        }),
        {},
      ),
      await api.k8s.postAudit(
        new Request("http://x/api/v1/k8s/audit", {
          method: "POST",
          headers: auth,
          body: fixture("k8s/event-list.json"),
        }),
        {},
      ),
    ];
    for (const r of responses) {
      expect(r.status).toBe(403);
      const body = await r.json();
      expect(body.detail).toContain("reserved");
      expect(body.detail).toContain("ledgerline keys revoke");
    }
    // The only new ledgerline:dashboard entry is the server's own record of the refusal.
    const added = await ledger.db.all<{ action: string; requester_id: string; outcome: string }>(
      "SELECT action, requester_id, outcome FROM entries WHERE source = ? ORDER BY seq",
      [DASHBOARD_SOURCE],
    );
    expect(added.length - before).toBe(1);
    expect(added.at(-1)).toMatchObject({ action: "ingest.refused-reserved-source", outcome: "denied" });
    expect(await ledger.prisma.entry.count({ where: { action: "user.set-role" } })).toBe(0);
    // Lists say so, so an admin finds the key to revoke.
    expect((await listIngestKeys(ledger, admin)).find((k) => k.id === id)).toMatchObject({ reservedSource: true });
  });
});
