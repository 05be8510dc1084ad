import crypto from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import { STORE_INDEPENDENT, VIEWPORTS } from "./support/ui.ts";

// Issue 15 items 9, 10, 11 and the phone filter bar, on the real server:
// /trace finds traces by service and status and opens an upper-case W3C trace-id;
// the demo's stories are suggested and hold 10+ hops; a trace of 20 services with
// long names draws no text over other text; the explorer's filters fold on a phone.

const keyFor = (project: string) =>
  (project === "postgres" ? process.env.E2E_POSTGRES_KEY : process.env.E2E_SQLITE_KEY) ?? "";

type Hop = { from: string; service: string; outcome?: string; reason?: string; ms: number };

async function ingest(request: APIRequestContext, info: TestInfo, correlationId: string, hops: Hop[]) {
  const t0 = Date.now() - 120_000;
  const events = hops.map((h, i) => ({
    id: `${correlationId}-${i}`,
    timestamp: new Date(t0 + h.ms).toISOString(),
    eventType: "execute",
    requester: { id: h.from, type: "service" },
    target: { id: `https://${h.service}.svc/v1/op-${i}`, service: h.service, type: "api" },
    action: `POST /v1/op-${i}`,
    outcome: h.outcome ?? "success",
    ...(h.reason ? { reason: h.reason } : {}),
    correlationId,
  }));
  const res = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${keyFor(info.project.name)}` },
    data: events,
  });
  expect(res.status(), await res.text()).toBe(201);
}

test("/trace finds traces by service and status, newest first, and opens an upper-case trace-id", async ({
  page,
}, info) => {
  const tag = crypto.randomBytes(5).toString("hex");
  const svc = `e2e-svc-${tag}`;
  const gw = `spiffe://e2e.example/ns/edge/sa/gw-${tag}`;
  const ids = [0, 1, 2].map((i) => `${tag}${"0".repeat(21)}${i}a`.slice(0, 32));
  await signInAs(page, info, "analyst", "/trace");
  await ingest(page.request, info, ids[0]!, [{ from: gw, service: svc, ms: 0 }]);
  await ingest(page.request, info, ids[1]!, [
    { from: gw, service: svc, ms: 10 },
    { from: gw, service: "payments", outcome: "denied", reason: "e2e: not on the allow list", ms: 20 },
  ]);
  await ingest(page.request, info, ids[2]!, [{ from: gw, service: svc, outcome: "failure", ms: 30 }]);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Recent traces" })).toBeVisible();
  await expect(page.getByTestId("trace-list-row").first()).toBeVisible();

  await page.getByLabel("Service or requester").fill(svc);
  await page.getByRole("button", { name: "Find traces" }).click();
  await expect(page).toHaveURL(new RegExp(`service=${svc}`));
  const rows = page.getByTestId("trace-list-row");
  await expect(rows).toHaveCount(3);
  // Newest last entry first.
  await expect(rows.nth(0)).toContainText(ids[2]!);
  await expect(rows.nth(0)).toContainText("1 failure");
  await expect(rows.nth(1)).toContainText("1 denied");

  await page.getByLabel("Outcome").selectOption("denied");
  await page.getByRole("button", { name: "Find traces" }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(ids[1]!);

  // The API answers the same search, with the session.
  const api = await page.request.get(`/api/v1/traces?service=${svc}&status=failed`);
  expect(api.status()).toBe(200);
  expect(((await api.json()) as { items: Array<{ correlationId: string }> }).items.map((t) => t.correlationId)).toEqual(
    [ids[2]],
  );

  // An upper-case W3C trace-id (as some tools print it) opens the stored lower-case trace.
  await page.goto("/trace");
  await page.getByLabel("Correlation ID or traceparent").fill(ids[1]!.toUpperCase());
  await page.getByRole("button", { name: "Open trace" }).click();
  await expect(page).toHaveURL(new RegExp(`/trace/${ids[1]}$`));
  await expect(page.getByTestId("trace-total")).toContainText("2 entries");
  // The denial reason is on the page, not only in a tooltip.
  await expect(page.getByTestId("trace-reasons")).toContainText("e2e: not on the allow list");
});

test("the demo's stories are suggested on /trace and each holds 10–30 hops", async ({ page }, info) => {
  await signInAs(page, info, "auditor", "/trace");
  const stories = page.getByTestId("trace-stories").getByRole("link");
  await expect(stories).toHaveCount(3);
  // Every count agrees with its noun ("2 failures", "1 failure", "14 hops"): the demo has several of each.
  const counts = (await page.getByTestId("trace-stories").innerText()).matchAll(/(\d+) (hops?|failures?)\b/g);
  const wrong = [...counts].filter(([, n, noun]) => (Number(n) === 1) !== !noun!.endsWith("s")).map(([m]) => m);
  expect(wrong).toEqual([]);
  expect(await page.getByTestId("trace-stories").innerText()).toMatch(/\d+ failures?\b/);
  for (let i = 0; i < 3; i++) {
    await page.goto("/trace");
    await stories.nth(i).click();
    await expect(page).toHaveURL(/\/trace\/[0-9a-f]{32}$/);
    const total = Number((await page.getByTestId("trace-total").innerText()).replace(/\D+/g, ""));
    expect(total).toBeGreaterThanOrEqual(10);
    expect(total).toBeLessThanOrEqual(30);
    await expect(page.getByTestId("trace-reasons")).toBeVisible();
  }
});

/** Pairs of rendered text boxes (SVG text and lane labels) that overlap by more than a pixel. */
async function textOverlaps(page: Page, scope: string): Promise<string[]> {
  return page.locator(scope).evaluate((root) => {
    const boxes = [...root.querySelectorAll("text")]
      .filter((t) => (t.textContent ?? "").trim() && t.getClientRects().length)
      .map((t) => ({ text: (t.textContent ?? "").trim().slice(0, 40), r: t.getBoundingClientRect() }))
      .filter((b) => b.r.width > 0 && b.r.height > 0);
    const out: string[] = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!.r;
        const b = boxes[j]!.r;
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1) out.push(`"${boxes[i]!.text}" × "${boxes[j]!.text}"`);
      }
    return out;
  });
}

test("a trace of 20 services with long names draws no text over other text", async ({ page }, info) => {
  test.skip(info.project.name !== "sqlite", STORE_INDEPENDENT);
  const tag = crypto.randomBytes(4).toString("hex");
  const long = (i: number) => `a-rather-long-service-name-number-${i}-of-the-fleet-${tag}`;
  const id = `e2e-overlap-${tag}`;
  const hops: Hop[] = [];
  for (let i = 0; i < 20; i++) {
    const from = `spiffe://e2e.example/ns/team-${i % 4}/sa/${long(i)}`;
    hops.push({ from, service: long((i + 1) % 20), ms: i * 40, ...(i % 5 === 0 ? { outcome: "denied" } : {}) });
    // Repeats make "×N" badges; a fan-out makes parallel edges.
    hops.push({ from, service: long((i + 1) % 20), ms: i * 40 + 5 });
    if (i % 7 === 0) hops.push({ from, service: long((i + 3) % 20), ms: i * 40 + 7 });
  }
  await ingest(page.request, info, id, hops);
  await signInAs(page, info, "auditor", `/trace/${id}`);
  for (const [name, opts] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(opts.viewport);
    await page.goto(`/trace/${id}`);
    await expect(page.getByTestId("lane").first()).toBeVisible();
    expect(await textOverlaps(page, ".trace-timeline"), `timeline at ${name}`).toEqual([]);
    expect(await textOverlaps(page, "[data-testid=service-graph]"), `graph at ${name}`).toEqual([]);
  }
});

test("on a phone the explorer's filters fold behind 'Filters (n)', active filters in view", async ({
  browser,
}, info) => {
  test.skip(info.project.name !== "sqlite", STORE_INDEPENDENT);
  test.setTimeout(120_000); // two contexts, two sign-ins and a whole-page axe run on a shared machine
  const context = await browser.newContext(VIEWPORTS.phone);
  const page = await context.newPage();
  await signInAs(page, info, "auditor", "/events?range=24h&outcome=denied");
  const toggle = page.getByTestId("filter-fold-toggle");
  await expect(toggle).toHaveText("Filters (2)");
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  // The removable chips keep the filters in view; the fold adds no second copy of them.
  await expect(page.getByTestId("active-filters")).toContainText("denied");
  await expect(page.getByTestId("filter-fold-active")).toHaveCount(0);
  await expect(page.getByTestId("filter-bar")).toBeHidden();
  // Folded, the bar is one short card (it was ~1 100 px tall at 390 px).
  const head = await page.locator(".filter-fold-head").boundingBox();
  expect(head?.height ?? Infinity).toBeLessThan(160);
  // By keyboard: focus, Enter opens, Enter closes.
  await toggle.focus();
  await page.keyboard.press("Enter");
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await expect(page.getByTestId("filter-bar")).toBeVisible();
  const axe = await new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.length}`)).toEqual([]);
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("filter-bar")).toBeHidden();
  await context.close();
  // Wide screens never see the fold.
  const wide = await browser.newContext(VIEWPORTS.wide);
  const w = await wide.newPage();
  await signInAs(w, info, "auditor", "/events?range=24h");
  await expect(w.getByTestId("filter-bar")).toBeVisible();
  await expect(w.getByTestId("filter-fold-toggle")).toBeHidden();
  await wide.close();
});
