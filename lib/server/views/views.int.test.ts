import { afterEach, describe, expect, it } from "vitest";
import { DIALECTS, freshLedger, testApi } from "@/test/support/stores.ts";
import type { Principal } from "../auth/principal.ts";
import { rowToEntry, type EntryRow } from "../ledger/entry.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { createView, deleteSavedView, listViews, updateSavedView } from "./service.ts";

// Saved views (issue 15 item 7) on both stores: relative ranges stay relative,
// bad input is refused with words a person can act on, only the owner renames,
// an admin may delete a shared view, and what changes what others see is in the log.

const user = (email: string, role: "admin" | "auditor" | "analyst") => ({
  kind: "user" as const,
  userId: email,
  email,
  name: null,
  role,
  via: "session" as const,
});
const ana = user("ana@test", "analyst");
const aud = user("aud@test", "auditor");
const adm = user("adm@test", "admin");

async function viewAudit(rt: Runtime): Promise<string[]> {
  const rows = await rt.db.all<EntryRow>(
    "SELECT * FROM entries WHERE target_id = 'ledgerline:views' AND source = 'ledgerline:dashboard' ORDER BY seq",
  );
  return rows.map(rowToEntry).map((e) => `${e.action} ${e.requester.id} ${String(e.attributes?.name)}`);
}

const base = { columns: ["ts", "outcome", "requester", "reason"], shared: false };

describe.each(DIALECTS)("saved views on %s", (dialect) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => cleanup());

  it("saves a filter with its relative range and columns, lists own + shared, audits what others see", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const rt = t.ledger;
    const v = await createView(rt, ana, {
      ...base,
      name: "  Denied payments ",
      query: "https://l.example/events?service=payments&range=24h&outcome=denied&cursor=abc",
    });
    // Trimmed name, canonical parameter order, the cursor dropped, range=24h kept relative.
    expect(v).toMatchObject({
      name: "Denied payments",
      query: "range=24h&outcome=denied&service=payments",
      mine: true,
    });
    expect(v.columns).toEqual(["ts", "outcome", "requester", "reason"]);
    const shared = await createView(rt, aud, { ...base, name: "Team", query: "range=7d", shared: true });
    await createView(rt, aud, { ...base, name: "Private of aud", query: "range=1h" });

    expect((await listViews(rt, ana)).map((x) => `${x.name}:${x.mine}:${x.canDelete}`)).toEqual([
      "Denied payments:true:true",
      "Team:false:false",
    ]);
    expect((await listViews(rt, adm)).map((x) => `${x.name}:${x.canDelete}`)).toEqual(["Team:true"]);

    // Rename a private view (not audited), share (audited), rename a shared view (audited); the owner only.
    await updateSavedView(rt, ana, v.id, { name: "Denials" });
    await updateSavedView(rt, ana, v.id, { shared: true });
    await expect(updateSavedView(rt, aud, v.id, { name: "x" })).rejects.toThrow(/Only ana@test/);
    await updateSavedView(rt, aud, shared.id, { name: "Team denials" });
    // An admin deletes a shared view of someone else; an analyst may not.
    await expect(deleteSavedView(rt, ana, shared.id)).rejects.toThrow(/or an admin may delete/);
    await deleteSavedView(rt, adm, shared.id);
    expect((await listViews(rt, ana)).map((x) => x.name)).toEqual(["Denials"]);
    // Someone else's private view is "not found", not "forbidden" (its existence is not theirs to learn).
    const priv = (await listViews(rt, aud)).find((x) => x.name === "Private of aud")!;
    await expect(deleteSavedView(rt, ana, priv.id)).rejects.toMatchObject({ code: "not_found" });

    expect(await viewAudit(rt)).toEqual([
      "views.create ana@test Denied payments",
      "views.create aud@test Team",
      "views.create aud@test Private of aud",
      "views.share ana@test Denials",
      "views.rename aud@test Team denials",
      "views.delete adm@test Team denials",
    ]);
    // The Prisma model mirrors migration 0010.
    const row = await rt.prisma.savedView.findFirstOrThrow({ where: { name: "Denials" } });
    expect(row).toMatchObject({ owner: "ana@test", shared: true, query: "range=24h&outcome=denied&service=payments" });
  });
});

describe.each(DIALECTS)("saved views refuse bad input on %s", (dialect) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => cleanup());

  it("refuses bad input with a clear error and saves nothing", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const rt = t.ledger;
    await createView(rt, ana, { ...base, name: "One", query: "range=24h" });
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...base, name: "One", query: "range=1h" }, /already have a view named "One"/],
      [{ ...base, name: "x".repeat(81), query: "" }, /name must be at most 80 characters/],
      [{ ...base, name: "   ", query: "" }, /name must not be empty/],
      [{ ...base, name: "c", query: "", columns: ["ts", "colour"] }, /unknown column "colour"/],
      [{ ...base, name: "c", query: "range=2h" }, /parameter range must be one of/],
      [{ ...base, name: "c", query: "https://l.example/bundles" }, /must be an Events link/],
      [{ ...base, name: "c", query: "", extra: 1 }, /unknown field "extra"/],
    ];
    for (const [input, msg] of bad)
      await expect(createView(rt, ana, input), JSON.stringify(input)).rejects.toThrow(msg);
    await createView(rt, ana, { ...base, name: "Two", query: "" });
    await expect(updateSavedView(rt, ana, (await listViews(rt, ana))[1]!.id, { name: "One" })).rejects.toThrow(
      /already have a view named "One"/,
    );
    expect((await listViews(rt, ana)).map((x) => x.name)).toEqual(["One", "Two"]);
    expect((await viewAudit(rt)).length).toBe(2);
  });
});

describe.each(DIALECTS)("/api/v1/views on %s", (dialect) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => cleanup());

  it("serves /api/v1/views: 201, 409, 400 problem, cross-site refused, tokens may list but not save", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const rt = t.ledger;
    const routes = testApi(rt, async () => ana).views;
    const post = (body: unknown, origin = "http://ledgerline.test") =>
      new Request("http://ledgerline.test/api/v1/views", {
        method: "POST",
        headers: { "content-type": "application/json", origin, host: "ledgerline.test" },
        body: JSON.stringify(body),
      });
    const ok = await routes.create(post({ ...base, name: "API", query: "range=15m" }), {});
    expect(ok.status, await ok.clone().text()).toBe(201);
    const id = ((await ok.json()) as { id: string }).id;
    expect((await routes.create(post({ ...base, name: "API", query: "" }), {})).status).toBe(409);
    const bad = await routes.create(post({ ...base, name: "B", query: "", columns: ["nope"] }), {});
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/unknown column "nope"/);
    expect((await routes.create(post({ ...base, name: "X", query: "" }, "https://evil.example"), {})).status).toBe(403);
    const list = await routes.list(new Request("http://ledgerline.test/api/v1/views"), {});
    expect(((await list.json()) as { items: Array<{ id: string }> }).items.map((x) => x.id)).toEqual([id]);

    const token: Principal = { ...ana, via: "token", scopes: ["events:read"] };
    const tokenRoutes = testApi(rt, async () => token).views;
    expect((await tokenRoutes.list(new Request("http://ledgerline.test/api/v1/views"), {})).status).toBe(200);
    const del = new Request(`http://ledgerline.test/api/v1/views/${id}`, {
      method: "DELETE",
      headers: { origin: "http://ledgerline.test", host: "ledgerline.test" },
    });
    expect((await tokenRoutes.remove(del, { params: Promise.resolve({ id }) })).status).toBe(403);
    expect((await routes.remove(del.clone(), { params: Promise.resolve({ id }) })).status).toBe(200);
    expect((await routes.remove(del.clone(), { params: Promise.resolve({ id }) })).status).toBe(404);
  });
});
