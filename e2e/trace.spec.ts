import crypto from "node:crypto";
import { expect, test, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import { signInAs } from "./support/auth.ts";

// The on-call engineer's story, on the real server (SQLite and PostgreSQL): a
// request crossed four services, one hop was denied and one service's clock is
// five minutes slow. From the explorer or the search box they open its
// timeline, see one lane per service, the graph, the denial, the gap and the
// clock warning, and open an entry.

const keyFor = (project: string) =>
  (project === "postgres" ? process.env.E2E_POSTGRES_KEY : process.env.E2E_SQLITE_KEY) ?? "";
const TD = "spiffe://e2e.example";

type Ingested = { correlationId: string; seqs: number[]; ids: string[] };

async function ingestTrace(request: APIRequestContext, info: TestInfo): Promise<Ingested> {
  const key = keyFor(info.project.name);
  expect(key, "the e2e runner captures the demo key the server printed").toMatch(/^llk_/);
  const correlationId = `e2e-trace-${info.project.name}-${crypto.randomBytes(6).toString("hex")}`;
  const t0 = Date.now() - 60_000;
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  const hop = (n: string, ms: number, from: string, service: string, over: Record<string, unknown> = {}) => ({
    id: `${correlationId}-${n}`,
    timestamp: at(ms),
    eventType: "execute",
    requester: { id: `${TD}/ns/${from}`, type: "service" },
    target: { id: `https://${service}.svc/v1/${n}`, service, type: "api" },
    action: `POST /v1/${n}`,
    outcome: "success",
    correlationId,
    ...over,
  });
  const events = [
    hop("a", 0, "edge/sa/gateway", "orders"),
    hop("b", 120, "shop/sa/orders", "payments", { outcome: "denied", reason: "e2e: mTLS peer not in the allow list" }),
    hop("c", 250, "shop/sa/orders", "inventory"),
    // Received last, claims five minutes before the rest: a slow clock.
    hop("d", -300_000, "payments/sa/fraud-check", "scores"),
  ];
  const res = await request.post("/api/v1/events", { headers: { authorization: `Bearer ${key}` }, data: events });
  expect(res.status()).toBe(201);
  const { accepted } = (await res.json()) as { accepted: Array<{ id: string; seq: number }> };
  return { correlationId, seqs: accepted.map((a) => a.seq), ids: accepted.map((a) => a.id) };
}

/** What every route into the timeline must show for the ingested trace. */
async function expectTimeline(page: Page, t: Ingested) {
  await expect(page).toHaveURL(new RegExp(`/trace/${t.correlationId}$`));
  await expect(page.getByTestId("trace-id")).toHaveText(t.correlationId);
  await expect(page.getByTestId("trace-total")).toContainText("4 entries");
  // Requesters gateway, orders, fraud-check and targets orders, payments, inventory, scores.
  await expect(page.getByTestId("lane")).toHaveCount(7);
  await expect(page.getByTestId("service-graph")).toBeVisible();
  await expect(page.getByTestId("graph-edge")).toHaveCount(4);
  const deniedEdge = page.locator(`[data-testid="graph-edge"][data-denied="1"]`);
  await expect(deniedEdge).toHaveCount(1);
  await expect(deniedEdge).toHaveAttribute("data-to", "payments");
  await expect(page.getByTestId("trace-mark")).toHaveCount(4);
  await expect(page.locator(`[data-testid="trace-mark"][data-outcome="denied"]`)).toHaveAttribute(
    "data-seq",
    String(t.seqs[1]),
  );
  await expect(page.getByTestId("clock-warning")).toContainText("Clock skew");
  await expect(page.getByTestId("clock-warning")).toContainText(`seq ${t.seqs[3]}`);
  await expect(page.getByTestId("gap")).toHaveCount(1);
}

test("from the search box: lanes, graph, the denial, the gap and the clock warning; hover and open an entry", async ({
  page,
  request,
}, info) => {
  const t = await ingestTrace(request, info);
  await signInAs(page, info, "auditor", "/trace");
  await page.waitForLoadState("networkidle");
  await page.getByLabel("Correlation ID or traceparent").fill(`  ${t.correlationId} `);
  await page.getByRole("button", { name: "Open trace" }).click();
  await expectTimeline(page, t);
  if (process.env.TRACE_SCREENSHOT_DIR)
    await page.screenshot({
      path: `${process.env.TRACE_SCREENSHOT_DIR}/trace-${info.project.name}.png`,
      fullPage: true,
    });

  // Hydrated (hover and click are client-side); networkidle can wait on unrelated prefetches.
  await expect(page.getByTestId("trace-timeline")).toHaveAttribute("data-ready", "1");
  const denied = page.locator(`[data-testid="trace-mark"][data-outcome="denied"] .mark-shape`);
  await denied.hover();
  await expect(page.getByTestId("trace-tooltip")).toContainText(`seq ${t.seqs[1]}`);
  await expect(page.getByTestId("trace-tooltip")).toContainText("denied");
  await expect(page.getByTestId("trace-tooltip")).toContainText("mTLS peer not in the allow list");
  await denied.click();
  await expect(page).toHaveURL(new RegExp(`/events/${t.seqs[1]}$`));
  await expect(page.getByText(t.ids[1]!).first()).toBeVisible();
});

test("from the explorer: the correlation id links to its timeline; an entry in the list opens its detail", async ({
  page,
  request,
}, info) => {
  const t = await ingestTrace(request, info);
  await signInAs(page, info, "analyst", `/events?correlationId=${t.correlationId}`);
  await page.waitForLoadState("networkidle");
  await page.locator(`a[href="/trace/${t.correlationId}"]`).first().click();
  await expectTimeline(page, t);
  await expect(page.getByTestId("trace-timeline")).toHaveAttribute("data-ready", "1");
  // Analysts may read traces but not export evidence bundles.
  await expect(page.getByTestId("export-bundle")).toHaveCount(0);
  const rows = page.getByTestId("trace-entry");
  await expect(rows).toHaveCount(4);
  // Claimed order, not order of receipt: the slow-clock entry comes first.
  await expect(rows.first()).toHaveAttribute("data-seq", String(t.seqs[3]));
  await rows.nth(1).click();
  await expect(page).toHaveURL(new RegExp(`/events/${t.seqs[0]}$`));
});

test("an unknown id gives a helpful empty state; the API answers 200 empty, 400 for impossible ids, 401 without a session", async ({
  page,
  request,
}, info) => {
  const unknown = `never-sent-${crypto.randomBytes(8).toString("hex")}`;
  expect((await request.get(`/api/v1/traces/${unknown}`)).status()).toBe(401);
  await signInAs(page, info, "analyst", `/trace/${unknown}`);
  await expect(page.getByTestId("trace-empty")).toContainText(unknown);
  await expect(page.getByTestId("trace-empty")).toContainText("traceparent");
  await expect(page.getByTestId("lane")).toHaveCount(0);
  const api = await page.request.get(`/api/v1/traces/${unknown}`);
  expect(api.status()).toBe(200);
  expect(await api.json()).toMatchObject({
    correlationId: unknown,
    total: 0,
    entries: [],
    graph: { nodes: [], edges: [] },
  });
  const tooLong = await page.request.get(`/api/v1/traces/${"x".repeat(129)}`);
  expect(tooLong.status()).toBe(400);
  expect(tooLong.headers()["content-type"]).toContain("application/problem+json");
  expect((await page.request.get(`/api/v1/traces/a%01b`)).status()).toBe(400);
  // Ids are looked up exactly as typed, percent signs and spaces included (decoded once, never twice).
  const odd = `odd %41 id ${crypto.randomBytes(4).toString("hex")}`;
  await page.goto(`/trace/${encodeURIComponent(odd)}`);
  await expect(page.getByTestId("trace-empty")).toContainText(odd);
  expect(await (await page.request.get(`/api/v1/traces/${encodeURIComponent(odd)}`)).json()).toMatchObject({
    correlationId: odd,
    total: 0,
  });
});

test("a traceparent in the search box opens the trace of its trace-id", async ({ page, request }, info) => {
  const traceId = crypto.randomBytes(16).toString("hex");
  const traceparent = `00-${traceId}-${crypto.randomBytes(8).toString("hex")}-01`;
  const res = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${keyFor(info.project.name)}`, traceparent },
    data: {
      timestamp: new Date().toISOString(),
      eventType: "read",
      requester: { id: `${TD}/ns/edge/sa/gateway` },
      target: { id: "https://users.svc/v1/me", service: "users" },
      outcome: "success",
    },
  });
  expect(res.status()).toBe(201);
  await signInAs(page, info, "auditor", "/trace");
  await page.waitForLoadState("networkidle");
  // Something no event could carry is refused in place, not looked up.
  await page.getByLabel("Correlation ID or traceparent").fill("x".repeat(200));
  await page.getByRole("button", { name: "Open trace" }).click();
  await expect(page.getByTestId("trace-search-error")).toContainText("at most 128 characters");
  await page.getByLabel("Correlation ID or traceparent").fill(traceparent);
  await page.getByRole("button", { name: "Open trace" }).click();
  await expect(page).toHaveURL(new RegExp(`/trace/${traceId}$`));
  await expect(page.getByTestId("trace-total")).toContainText("1 entry");
  await expect(page.getByTestId("lane")).toHaveCount(2);
  await expect(page.getByTestId("clock-warning")).toHaveCount(0);
  // Auditors export the trace as a signed evidence bundle and land on its page.
  await expect(page.getByTestId("trace-timeline")).toHaveAttribute("data-ready", "1");
  await page.getByTestId("export-bundle").click();
  // The export first shows what it will hold: this trace's one entry, over all time.
  await expect(page.getByTestId("bundle-preview-count")).toHaveAttribute("data-count", "1");
  await expect(page.getByTestId("bundle-preview-filter")).toContainText(`all time · correlation id ${traceId}`);
  await page.getByTestId("bundle-confirm").click();
  await expect(page).toHaveURL(/\/bundles\/[^/]+$/);
  await expect(page.getByTestId("export-error")).toHaveCount(0);
});

test("a large trace is drawn as per-lane time buckets and its entry list is windowed", async ({
  page,
  request,
}, info) => {
  const key = keyFor(info.project.name);
  const correlationId = `e2e-trace-large-${info.project.name}-${crypto.randomBytes(6).toString("hex")}`;
  const t0 = Date.now() - 3_600_000;
  const N = 1_600;
  for (let i = 0; i < N; i += 400) {
    const batch = Array.from({ length: 400 }, (_, k) => {
      const n = i + k;
      return {
        timestamp: new Date(t0 + n * 500).toISOString(),
        eventType: "read",
        requester: { id: `${TD}/ns/batch/sa/worker-${n % 3}`, type: "job" },
        target: { id: `db://warehouse/t${n % 7}`, service: "warehouse", type: "db" },
        outcome: n % 97 === 0 ? "denied" : "success",
        correlationId,
      };
    });
    expect(
      (await request.post("/api/v1/events", { headers: { authorization: `Bearer ${key}` }, data: batch })).status(),
    ).toBe(201);
  }
  await signInAs(page, info, "analyst", `/trace/${correlationId}`);
  await expect(page.getByTestId("trace-total")).toContainText("1,600 entries");
  await expect(page.getByTestId("trace-timeline")).toHaveAttribute("data-mode", "aggregated");
  await expect(page.getByTestId("trace-mark")).toHaveCount(0);
  expect(await page.getByTestId("trace-bucket").count()).toBeGreaterThan(10);
  await expect(page.getByTestId("lane")).toHaveCount(4);
  await expect(page.locator(`[data-testid="graph-edge"]`)).toHaveCount(3);
  // Windowed: a few dozen rows in the DOM, and scrolling brings the last entries in.
  const rendered = await page.getByTestId("trace-entry").count();
  expect(rendered).toBeGreaterThan(5);
  expect(rendered).toBeLessThan(100);
  await page.locator(".trace-scroll").evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await expect(page.getByTestId("trace-entry").last()).toContainText("+13 min 19.5 s");
  if (process.env.TRACE_SCREENSHOT_DIR)
    await page.screenshot({
      path: `${process.env.TRACE_SCREENSHOT_DIR}/trace-large-${info.project.name}.png`,
      fullPage: true,
    });
});
