import { expect, test, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import { signInAs } from "./support/auth.ts";

// An auditor answers "who was denied what, when" in the event explorer: filters
// kept in a shareable URL, the histogram to zoom in time, an entry's detail
// verified in the browser. Each test ingests its own events under a unique
// requester prefix, so no assertion depends on the demo data.

const keyFor = (info: TestInfo) =>
  (info.project.name === "postgres" ? process.env.E2E_POSTGRES_KEY : process.env.E2E_SQLITE_KEY) ?? "";

type Ingested = { prefix: string; a: string; b: string; timestamp: string; seqs: number[] };

/** 3 denied + 2 successful accesses by requester A, 2 denied by B, all at one instant (one histogram bar). */
async function ingestFleet(request: APIRequestContext, info: TestInfo, tag: string): Promise<Ingested> {
  const prefix = `spiffe://e2e-explorer/${info.project.name}-${tag}-${Date.now()}`;
  const a = `${prefix}/sa/alpha`;
  const b = `${prefix}/sa/beta`;
  const timestamp = new Date(Date.now() - 5_000).toISOString();
  const ev = (requester: string, outcome: string, i: number) => ({
    timestamp,
    eventType: outcome === "success" ? "read" : "write",
    requester: { id: requester },
    target: { id: `db://payments-pg/cards/${i}`, service: "payments", type: "db" },
    action: "UPDATE cards",
    outcome,
    correlationId: `${tag}-${Date.now()}-corr`,
    reason: "e2e explorer",
  });
  const events = [
    ev(a, "denied", 1),
    ev(a, "denied", 2),
    ev(a, "denied", 3),
    ev(a, "success", 4),
    ev(a, "success", 5),
    ev(b, "denied", 6),
    ev(b, "denied", 7),
  ];
  const res = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${keyFor(info)}` },
    data: events,
  });
  expect(res.status(), await res.text()).toBe(201);
  const { accepted } = (await res.json()) as { accepted: Array<{ seq: number }> };
  return { prefix, a, b, timestamp, seqs: accepted.map((x) => x.seq) };
}

async function openExplorer(page: Page, path = "/events") {
  await page.goto(path);
  await page.waitForLoadState("networkidle");
  await expect(page.getByTestId("events-table")).toBeVisible();
}

const rows = (page: Page) => page.getByTestId("event-row");

async function expectOnlyRows(page: Page, count: number, requester: string | RegExp, outcome?: string) {
  await expect(rows(page)).toHaveCount(count);
  for (const r of await rows(page).all()) {
    await expect(r.getByTestId("row-requester")).toHaveText(requester);
    if (outcome) await expect(r.getByTestId("row-outcome")).toHaveText(outcome);
  }
}

test("filters by outcome and requester; the URL is shareable and Back restores the previous filter", async ({
  page,
  request,
}, info) => {
  const fleet = await ingestFleet(request, info, "filter");
  await signInAs(page, info, "auditor", "/events");
  await openExplorer(page);

  await page.getByTestId("filter-requester").fill(fleet.a);
  await page.getByTestId("filter-requester").press("Enter");
  await expect(page).toHaveURL(/requester=/);
  await expectOnlyRows(page, 5, fleet.a);

  await page.waitForLoadState("networkidle");
  await page.getByTestId("chip-outcome-denied").click();
  await expect(page).toHaveURL(/outcome=denied/);
  await expectOnlyRows(page, 3, fleet.a, "denied");
  await expect(page.getByTestId("chip-outcome-denied")).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("denied-rate")).toHaveText("100.0 %");

  // The link is the whole state: a fresh page shows the same filter and rows.
  const shared = page.url();
  const other = await page.context().newPage();
  await openExplorer(other, shared);
  await expect(other.getByTestId("filter-requester")).toHaveValue(fleet.a);
  await expect(other.getByTestId("chip-outcome-denied")).toHaveAttribute("aria-pressed", "true");
  await expectOnlyRows(other, 3, fleet.a, "denied");
  await other.close();

  // Back: the requester-only filter again, with its five rows.
  await page.goBack();
  await expect(page).not.toHaveURL(/outcome=/);
  await expectOnlyRows(page, 5, fleet.a);
  await expect(page.getByTestId("chip-outcome-denied")).toHaveAttribute("aria-pressed", "false");

  // A prefix pattern and a requester link from the table.
  await page.waitForLoadState("networkidle");
  await page.getByTestId("filter-requester").fill(`${fleet.prefix}/*`);
  await page.getByTestId("chip-outcome-denied").click();
  await expect(page).toHaveURL(/outcome=denied/);
  await expect(rows(page)).toHaveCount(5);
  await page.getByTestId("row-requester").filter({ hasText: fleet.b }).first().click();
  await expect(page).toHaveURL(
    new RegExp(`requester=${encodeURIComponent(fleet.b).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`),
  );
  await expectOnlyRows(page, 2, fleet.b, "denied");
});

test("sorting toggles on the Time and Seq headers and pages follow a cursor", async ({ page, request }, info) => {
  const fleet = await ingestFleet(request, info, "pages");
  await signInAs(page, info, "analyst", "/events");
  await openExplorer(page, `/events?requester=${encodeURIComponent(fleet.prefix + "/*")}&limit=3&sort=seq`);
  const seqs = async () => await rows(page).evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-seq"))));
  const sorted = [...fleet.seqs].sort((x, y) => x - y);
  expect(await seqs()).toEqual(sorted.slice(0, 3));

  await page.getByTestId("next-page").click();
  await expect(page).toHaveURL(/cursor=/);
  await expect.poll(seqs).toEqual(sorted.slice(3, 6));
  await page.getByTestId("next-page").click();
  await expect.poll(seqs).toEqual(sorted.slice(6));
  await expect(page.getByTestId("next-page")).toHaveCount(0);
  await page.getByTestId("first-page").click();
  await expect(page).not.toHaveURL(/cursor=/);
  await expect.poll(seqs).toEqual(sorted.slice(0, 3));

  await page.waitForLoadState("networkidle");
  await page.getByTestId("sort-seq").click();
  await expect(page).toHaveURL(/sort=-seq/);
  await expect.poll(seqs).toEqual([...sorted].reverse().slice(0, 3));
});

test("clicking a histogram bar zooms the time range into the URL", async ({ page, request }, info) => {
  const fleet = await ingestFleet(request, info, "zoom");
  await signInAs(page, info, "auditor", "/events");
  await openExplorer(page, `/events?range=24h&requester=${encodeURIComponent(fleet.prefix + "/*")}`);
  await expect(page.getByTestId("histogram")).toBeVisible();
  await expect(rows(page)).toHaveCount(7);

  // The one bar holding the fleet (they share one instant) is the tallest.
  const bars = page.locator('[data-testid="histogram"] .recharts-bar-rectangle');
  await expect(bars.first()).toBeVisible();
  const heights = await bars.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
  const tallest = heights.indexOf(Math.max(...heights));
  await page.waitForLoadState("networkidle");
  await bars.nth(tallest).click();

  await expect(page).toHaveURL(/from=.*&to=/);
  const url = new URL(page.url());
  expect(url.searchParams.has("range")).toBe(false);
  const from = Date.parse(url.searchParams.get("from")!);
  const to = Date.parse(url.searchParams.get("to")!);
  // 24 h in 10-minute bars: one bar is 10 minutes, and it holds the fleet's instant.
  expect(to - from).toBeLessThan(86_400_000);
  expect(to - from).toBe(600_000);
  const t = Date.parse(fleet.timestamp);
  expect(from).toBeLessThanOrEqual(t);
  expect(to).toBeGreaterThan(t);
  await expect(rows(page)).toHaveCount(7);
  await expect(page.getByTestId("preset-24h")).toHaveAttribute("aria-pressed", "false");
});

test("dragging across the histogram zooms to the buckets it touched", async ({ page, request }, info) => {
  const fleet = await ingestFleet(request, info, "drag");
  await signInAs(page, info, "analyst", "/events");
  // One hour in one-minute bars; the fleet is in one of the last bars.
  await openExplorer(page, `/events?range=1h&requester=${encodeURIComponent(fleet.prefix + "/*")}`);
  const bars = page.locator('[data-testid="histogram"] .recharts-bar-rectangle');
  await expect(bars.first()).toBeVisible();
  const boxes = await bars.evaluateAll((els) =>
    els
      .map((e) => e.getBoundingClientRect())
      .map((r) => ({ x: r.x + r.width / 2, y: r.y + r.height / 2, h: r.height })),
  );
  const start = boxes.reduce((a, b) => (b.h > a.h ? b : a));
  await page.waitForLoadState("networkidle");

  // Press on the fleet's bar once the chart knows it is hovered, drag left across bars, release.
  await page.mouse.move(start.x, start.y);
  await expect(page.locator('[data-testid="histogram"] .recharts-tooltip-wrapper')).toContainText("denied");
  await page.mouse.down();
  await page.mouse.move(start.x - 150, start.y, { steps: 15 });
  await expect(page.locator('[data-testid="histogram"] .recharts-reference-area')).toBeVisible();
  await page.mouse.up();

  await expect(page).toHaveURL(/from=.*&to=/);
  const url = new URL(page.url());
  const from = Date.parse(url.searchParams.get("from")!);
  const to = Date.parse(url.searchParams.get("to")!);
  expect((to - from) % 60_000).toBe(0);
  expect(to - from).toBeGreaterThanOrEqual(2 * 60_000);
  expect(to - from).toBeLessThan(3_600_000);
  const t = Date.parse(fleet.timestamp);
  expect(from).toBeLessThanOrEqual(t);
  expect(to).toBeGreaterThan(t);
  await expect(rows(page)).toHaveCount(7);
});

test("an entry opened from the table with the keyboard verifies in the browser", async ({ page, request }, info) => {
  const fleet = await ingestFleet(request, info, "verify");
  const last = Math.max(...fleet.seqs);
  // The e2e servers sign a checkpoint every second; wait until one covers the fleet.
  await expect
    .poll(async () => Number((await (await request.get("/api/v1/checkpoint")).text()).split("\n")[1]), {
      timeout: 30_000,
    })
    .toBeGreaterThanOrEqual(last);

  await signInAs(page, info, "auditor", "/events");
  await openExplorer(page, `/events?requester=${encodeURIComponent(fleet.a)}&sort=-seq`);
  await expect(rows(page)).toHaveCount(5);
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await expect(rows(page).nth(1)).toHaveAttribute("aria-selected", "true");
  const seq = await rows(page).nth(1).getAttribute("data-seq");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/events/${seq}$`));
  await page.waitForLoadState("networkidle");

  await expect(page.getByTestId("event-fields")).toContainText(fleet.a);
  await expect(page.getByTestId("canonical-json")).toContainText(`"requester":{"id":"${fleet.a}"`);
  await expect(page.getByTestId("covering-checkpoint")).toContainText("Tree size");
  await expect(page.getByTestId("detail-filter-requester")).toHaveAttribute("href", /requester=/);
  await page.getByTestId("verify-button").click();
  await expect(page.getByTestId("verify-result")).toContainText("Verified");
  await expect(page.getByTestId("verify-steps").locator("li")).toHaveCount(5);
  await expect(page.getByTestId("verify-steps")).not.toContainText("✗");
});

test("column choice and row density are kept per browser, across reloads, not in the URL", async ({ page }, info) => {
  await signInAs(page, info, "analyst", "/events");
  await openExplorer(page);
  const table = page.locator("table.events");
  await expect(page.locator("thead th", { hasText: "Leaf hash" })).toHaveCount(0);
  await expect(table).not.toHaveClass(/dense/);

  await page.getByTestId("column-chooser").locator("summary").click();
  await page.getByTestId("column-toggle-leafHash").check();
  await page.getByTestId("column-toggle-action").uncheck();
  await page.getByTestId("density-toggle").click();
  await expect(page.getByTestId("density-toggle")).toHaveAttribute("aria-pressed", "true");
  await expect(page).not.toHaveURL(/leafHash|dense|compact/);

  await page.reload();
  await page.waitForLoadState("networkidle");
  await expect(page.locator("thead th", { hasText: "Leaf hash" })).toHaveCount(1);
  await expect(page.locator("thead th", { hasText: "Action" })).toHaveCount(0);
  await expect(table).toHaveClass(/dense/);

  // A corrupt stored value falls back to the defaults instead of breaking the page.
  await page.evaluate(() => localStorage.setItem("ledgerline.explorer.columns", "{not json"));
  await page.reload();
  await page.waitForLoadState("networkidle");
  await expect(page.locator("thead th", { hasText: "Action" })).toHaveCount(1);
  await expect(page.locator("thead th", { hasText: "Leaf hash" })).toHaveCount(0);
});

test("an analyst sees the explorer without the export button; an auditor sees it", async ({ page }, info) => {
  await signInAs(page, info, "analyst", "/events");
  await openExplorer(page);
  await expect(page.getByTestId("histogram").or(page.getByTestId("histogram-empty"))).toBeVisible();
  await expect(page.getByTestId("export-bundle")).toHaveCount(0);

  await page.context().clearCookies();
  await signInAs(page, info, "auditor", "/events");
  await openExplorer(page);
  await expect(page.getByTestId("export-bundle")).toBeVisible();
});

test("bad URL parameters show what is wrong instead of failing", async ({ page }, info) => {
  await signInAs(page, info, "analyst", "/events");
  const res = await page.goto("/events?seqFrom=abc&sort=requester");
  expect(res?.status()).toBe(200);
  await expect(page.getByTestId("filter-error")).toContainText("seqFrom");
  await expect(page.getByTestId("filter-error")).toContainText("sort");
  await expect(page.getByTestId("events-table")).toHaveCount(0);

  await page.goto("/events?cursor=bm90LWEtY3Vyc29y");
  await expect(page.getByTestId("filter-error")).toContainText("cursor");

  await page.goto("/events/999999999999");
  await expect(page.getByTestId("event-not-found")).toBeVisible();
});
