import { afterEach, describe, expect, it } from "vitest";
import { resolveExplorerParams } from "@/components/events/explorer-params.ts";
import { readZip } from "@/lib/core/zip/read.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import type { Principal } from "../auth/principal.ts";
import { summarizeEvents } from "../events/search.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { DIALECTS, event, freshLedger, testApi } from "@/test/support/stores.ts";
import { whenBundlesIdle } from "./queue.ts";

// Issue 15 item 1, the bug it guards: "/events?range=24h&outcome=denied&service=payments"
// showed 34 entries; pasted on /bundles it exported 239 (all time) and the bundle's
// selection named no time at all. A bundle from an explorer link — through the API,
// as the /bundles form sends it — holds exactly the entries the explorer shows, for
// every preset, and its manifest filter carries the resolved absolute instants.

const auditor: Principal = {
  kind: "user",
  userId: "u-auditor",
  email: "auditor@example.com",
  name: null,
  role: "auditor",
  via: "token",
  scopes: ["events:read", "bundles:create"],
};

const MIN = 60_000;
// One entry of the service at each age: every preset holds a different number of them,
// so a dropped or widened range cannot pass by accident.
const AGES_MS = [5 * MIN, 40 * MIN, 3 * 60 * MIN, 3 * 1440 * MIN, 10 * 1440 * MIN, 60 * 1440 * MIN];
const EXPECTED: Record<string, number> = { "15m": 1, "1h": 2, "24h": 3, "7d": 4, "": 4, "30d": 5, all: 6 };

async function seedAges(rt: Runtime, service: string) {
  const now = Date.now();
  const events = AGES_MS.flatMap((age) =>
    (["denied", "success"] as const).map((outcome) => {
      const v = validateEvent(
        event({
          timestamp: new Date(now - age).toISOString(),
          outcome,
          target: { id: `db://${service}/t`, service, type: "db" },
        }),
      );
      if (!v.ok) throw new Error(JSON.stringify(v.errors));
      return v.event;
    }),
  );
  const r = await rt.sequencer.append("spiffe://test/src", events);
  if (!r.ok) throw new Error("append failed");
}

function post(path: string, body: unknown) {
  return new Request(`http://ledgerline.test${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer llr_test" },
    body: JSON.stringify(body),
  });
}

describe.each(DIALECTS)("bundles from explorer links on %s", (dialect) => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(async () => {
    await cleanup();
    cleanup = async () => {};
  });

  it("hold what the explorer counts, for every preset, with the instants in the manifest", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const rt = t.ledger;
    await seedAges(rt, "payments");
    await seedAges(rt, "search"); // same ages, another service: the filter must keep them out
    const routes = testApi(rt, async () => auditor).bundles;
    for (const [range, want] of Object.entries(EXPECTED)) {
      const link = `https://ledgerline.example/events?${range ? `range=${range}&` : ""}outcome=denied&service=payments`;
      // What the explorer page shows for this link (its own parser, its own count).
      const page = resolveExplorerParams(new URL(link).searchParams, Date.now());
      if (!page.ok) throw new Error(JSON.stringify(page.errors));
      const shown = (await summarizeEvents(rt, auditor, page.value.request.filter)).histogram.total;
      expect(shown, `explorer, range=${range || "(default)"}`).toBe(want);

      const pre = await routes.preview(post("/api/v1/bundles/preview", { explorer: link }), {});
      expect(pre.status, await pre.clone().text()).toBe(200);
      const preview = (await pre.json()) as { filter: Record<string, unknown>; count: number; range: string };
      expect(preview.count, `preview, range=${range}`).toBe(want);
      expect(preview.range).toBe(range || "7d");
      if (range === "all") expect(preview.filter.from).toBeUndefined();
      else expect(typeof preview.filter.from).toBe("string");

      // The API resolves the link itself too (scripts); the answer names the filter it will hold.
      const res = await routes.create(post("/api/v1/bundles", { explorer: link }), {});
      expect(res.status, await res.clone().text()).toBe(202);
      const created = (await res.json()) as { id: string; filter: Record<string, unknown> };
      expect(created.filter).toMatchObject({ outcome: ["denied"], service: "payments" });
      expect(created.filter.from).toBe(range === "all" ? undefined : preview.filter.from);
      await whenBundlesIdle(rt);
      const get = new Request(`http://ledgerline.test/api/v1/bundles/${created.id}`);
      const status = await (await routes.get(get, { params: Promise.resolve({ id: created.id }) })).json();
      expect(status.status, status.error).toBe("ready");
      expect(status.count, `bundle, range=${range}`).toBe(want);
      expect(status.filter).toEqual(created.filter);

      const dl = new Request(`http://ledgerline.test/api/v1/bundles/${created.id}/download`);
      const zip = await routes.download(dl, { params: Promise.resolve({ id: created.id }) });
      const files = readZip(new Uint8Array(await zip.arrayBuffer()));
      if (!files.ok) throw new Error(files.reason);
      const manifest = JSON.parse(new TextDecoder().decode(files.files.get("manifest.json")!));
      expect(manifest.filter).toEqual(created.filter);
      expect(manifest.count).toBe(want);
    }
  });

  it("refuses a link it cannot read as the explorer would, naming the problem", async () => {
    const t = await freshLedger(dialect);
    cleanup = t.cleanup;
    const routes = testApi(t.ledger, async () => auditor).bundles;
    const cases: [unknown, RegExp][] = [
      [{ explorer: "/events?range=2d&service=payments" }, /explorer\.range must be one of 15m, 1h, 24h, 7d, 30d, all/],
      [{ explorer: "/events?range=1h&from=2026-11-01T00:00:00Z" }, /explorer\.range cannot be combined with from\/to/],
      [{ explorer: "https://ledgerline.example/integrity" }, /must be an Events link/],
      [{ explorer: 42 }, /explorer must be an Events link/],
      [{ explorer: "range=all", filter: {} }, /either filter or explorer, not both/],
    ];
    for (const [body, detail] of cases) {
      for (const verb of ["preview", "create"] as const) {
        const res = await routes[verb](post("/api/v1/bundles", body), {});
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
      }
    }
    const rows = await t.ledger.db.all("SELECT id FROM bundles");
    expect(rows).toEqual([]);
  });
});
