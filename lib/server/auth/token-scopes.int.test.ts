import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, freshLedger, testApi } from "@/test/support/stores.ts";
import { whenBundlesIdle } from "../bundles/queue.ts";
import { AppError } from "../errors.ts";
import { settle } from "../integrity/index.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { createReadToken, listReadTokens, principalFromReadToken } from "./read-tokens.ts";
import { createUser, setUserRole } from "./users.ts";
import { can } from "./permissions.ts";
import { systemPrincipal } from "./principal.ts";

// Security regression (issue 13 item 11): a personal read token — meant for a SIEM or a
// script that reads — could do everything its user's role may, including queueing
// evidence bundles (full exports) and starting full integrity passes. Tokens now carry
// scopes: `events:read` only by default; `bundles:create` and `integrity:run` must be
// granted when the token is created, never beyond the user's role. Starting a full
// integrity pass is its own permission, `integrity:run` (admin and auditor).

const admin = systemPrincipal("scopes-test@localhost");

describe.each(DIALECTS)("read-token scopes on %s", (dialect) => {
  let ledger: Runtime;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ ledger, cleanup } = await freshLedger(dialect));
    await createUser(ledger, admin, { email: "aud@example.com", role: "auditor", password: "correct horse battery" });
    await createUser(ledger, admin, { email: "ana@example.com", role: "analyst", password: "correct horse battery" });
  });
  afterEach(async () => {
    await whenBundlesIdle(ledger);
    await settle(ledger);
    await cleanup();
  });

  const asToken = (token: string) => {
    const getPrincipal = (req: Request) =>
      principalFromReadToken(ledger, req.headers.get("authorization")!.replace(/^Bearer /, ""));
    const auth = { authorization: `Bearer ${token}` };
    return {
      bundle: () =>
        testApi(ledger, getPrincipal).bundles.create(
          new Request("http://x/api/v1/bundles", {
            method: "POST",
            headers: { ...auth, "content-type": "application/json" },
            body: JSON.stringify({ filter: {} }),
          }),
          {},
        ),
      list: () =>
        testApi(ledger, getPrincipal).bundles.list(new Request("http://x/api/v1/bundles", { headers: auth }), {}),
      run: () =>
        testApi(ledger, getPrincipal).integrity.startRun(
          new Request("http://x/api/v1/integrity/runs", { method: "POST", headers: auth }),
          {},
        ),
      status: () =>
        testApi(ledger, getPrincipal).integrity.get(new Request("http://x/api/v1/integrity", { headers: auth }), {}),
    };
  };

  it("a token made without scopes reads, but neither exports nor starts a full pass", async () => {
    const t = await createReadToken(ledger, admin, "aud@example.com");
    expect(t.scopes).toEqual(["events:read"]);
    const api = asToken(t.token);
    expect((await api.list()).status).toBe(200);
    expect((await api.status()).status).toBe(200);
    const b = await api.bundle();
    expect(b.status).toBe(403);
    expect((await b.json()).detail).toContain("--scope bundles:create");
    const r = await api.run();
    expect(r.status).toBe(403);
    expect((await r.json()).detail).toContain("--scope integrity:run");
  });

  it("granted scopes work, and are listed", async () => {
    const t = await createReadToken(ledger, admin, "aud@example.com", "exporter", ["bundles:create", "integrity:run"]);
    expect(t.scopes).toEqual(["events:read", "bundles:create", "integrity:run"]);
    const api = asToken(t.token);
    expect((await api.bundle()).status).toBe(202);
    expect((await api.run()).status).toBe(202);
    expect((await listReadTokens(ledger, admin)).find((x) => x.id === t.id)?.scopes).toEqual([
      "events:read",
      "bundles:create",
      "integrity:run",
    ]);
  });

  it("a token never exceeds its user's role: refused at creation, and at use after a demotion", async () => {
    const e = await createReadToken(ledger, admin, "ana@example.com", undefined, ["bundles:create"]).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).detail).toContain("analyst");
    expect(
      (await createReadToken(ledger, admin, "aud@example.com", undefined, ["users:manage" as never]).catch(
        (x: unknown) => x,
      )) instanceof AppError,
    ).toBe(true);

    const t = await createReadToken(ledger, admin, "aud@example.com", undefined, ["bundles:create"]);
    await setUserRole(ledger, admin, "aud@example.com", "analyst");
    const b = await asToken(t.token).bundle();
    expect(b.status).toBe(403);
    expect((await b.json()).detail).toContain("analyst");
  });

  it("integrity:run is its own permission: admin and auditor, not analyst", () => {
    expect(can("admin", "integrity:run")).toBe(true);
    expect(can("auditor", "integrity:run")).toBe(true);
    expect(can("analyst", "integrity:run")).toBe(false);
  });
});
