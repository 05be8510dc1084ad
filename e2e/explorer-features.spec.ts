import fs from "node:fs";
import { expect, test, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import { signInAs } from "./support/auth.ts";

// Issue 15 items 3, 4, 6 and 7 in the browser: presets stay relative, Ledgerline's
// own activity hidden behind a toggle, filters as removable chips, a bad parameter
// marked instead of a whole-page error, the reason column for denials, relative
// times, facet counts on the chips, and "Download CSV / NDJSON" for a role that may
// only read (analyst).

const keyFor = (info: TestInfo) =>
  (info.project.name === "postgres" ? process.env.E2E_POSTGRES_KEY : process.env.E2E_SQLITE_KEY) ?? "";

/** 3 denied and 2 successful accesses under a unique requester prefix, a minute ago. */
async function ingest(request: APIRequestContext, info: TestInfo, tag: string): Promise<string> {
  const prefix = `spiffe://e2e-features/${info.project.name}-${tag}-${Date.now()}`;
  const timestamp = new Date(Date.now() - 60_000).toISOString();
  const events = ["denied", "denied", "denied", "success", "success"].map((outcome, i) => ({
    timestamp,
    eventType: "write",
    requester: { id: `${prefix}/sa/${i}` },
    target: { id: `db://payments-pg/cards/${i}`, service: "payments", type: "db" },
    action: "UPDATE cards",
    outcome,
    ...(outcome === "denied" ? { reason: `=no grant ${i}` } : {}),
  }));
  const res = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${keyFor(info)}` },
    data: events,
  });
  expect(res.status(), await res.text()).toBe(201);
  return prefix;
}

async function open(page: Page, path: string) {
  await page.goto(path);
  await page.waitForLoadState("networkidle");
  await expect(page.getByTestId("events-table")).toBeVisible();
}

const rows = (page: Page) => page.getByTestId("event-row");

test("a preset stays relative through chips, text filters and chip removal", async ({ page, request }, info) => {
  const prefix = await ingest(request, info, "preset");
  await signInAs(page, info, "auditor", "/events");
  await open(page, `/events?range=24h&requester=${encodeURIComponent(`${prefix}/*`)}`);
  await expect(rows(page)).toHaveCount(5);

  await page.getByTestId("chip-outcome-denied").click();
  await expect(page).toHaveURL(/outcome=denied/);
  expect(page.url()).toMatch(/range=24h/);
  expect(page.url()).not.toMatch(/[?&](from|to)=/);
  await expect(page.getByTestId("preset-24h")).toHaveAttribute("aria-pressed", "true");
  await expect(rows(page)).toHaveCount(3);

  await page.waitForLoadState("networkidle");
  await page.getByTestId("filter-action").fill("UPDATE*");
  await page.getByTestId("filter-action").press("Enter");
  await expect(page).toHaveURL(/action=UPDATE/);
  expect(page.url()).toMatch(/range=24h/);
  expect(page.url()).not.toMatch(/[?&](from|to)=/);

  // The filters in effect as chips; removing one keeps the rest and the preset.
  await expect(page.getByTestId("active-filter-outcome-denied")).toBeVisible();
  await page.waitForLoadState("networkidle");
  await page.getByTestId("active-filter-outcome-denied").getByRole("button").click();
  await expect(page).not.toHaveURL(/outcome=/);
  expect(page.url()).toMatch(/range=24h/);
  await expect(rows(page)).toHaveCount(5);
  await expect(page.getByTestId("preset-24h")).toHaveAttribute("aria-pressed", "true");
});

test("Ledgerline's own activity is hidden until the toggle includes it", async ({ page }, info) => {
  const login = await signInAs(page, info, "analyst", "/events");
  // The analyst's own sign-in and searches are meta-audit entries with the analyst as requester.
  const mine = `/events?range=24h&requester=${encodeURIComponent(login.email)}`;
  await open(page, mine);
  await open(page, mine);
  await expect(rows(page)).toHaveCount(0);
  const toggle = page.getByTestId("filter-own-activity");
  await expect(toggle).not.toBeChecked();
  await expect(page.getByText("Include Ledgerline's own activity")).toBeVisible();

  await page.waitForLoadState("networkidle");
  await toggle.click(); // not check(): the box follows the URL, so it flips when the page does
  await expect(page).toHaveURL(/own=include/);
  await expect(page.getByTestId("filter-own-activity")).toBeChecked();
  await expect(rows(page).first()).toBeVisible();
  await expect(page.getByTestId("active-filter-own")).toBeVisible();

  await page.waitForLoadState("networkidle");
  await page.getByTestId("active-filter-own").getByRole("button").click();
  await expect(page).not.toHaveURL(/own=/);
  await expect(rows(page)).toHaveCount(0);
});

test("a link with one bad parameter shows the explorer with that field marked", async ({ page, request }, info) => {
  const prefix = await ingest(request, info, "badparam");
  await signInAs(page, info, "auditor", "/events");
  await open(page, `/events?range=24h&requester=${encodeURIComponent(`${prefix}/*`)}&outcome=maybe`);
  await expect(page.getByTestId("filter-error")).toContainText("outcome");
  await expect(page.getByRole("group", { name: /^Outcome \(the link's value was not valid\)/ })).toHaveAttribute(
    "data-invalid",
    "true",
  );
  await expect(rows(page)).toHaveCount(5);
  // The next change leaves the bad parameter behind.
  await page.getByTestId("chip-outcome-denied").click();
  await expect(page).toHaveURL(/outcome=denied/);
  await expect(page.getByTestId("filter-error")).toHaveCount(0);
  await expect(rows(page)).toHaveCount(3);
});

test("denials show their reason column and every row a relative time", async ({ page, request }, info) => {
  const prefix = await ingest(request, info, "reason");
  await signInAs(page, info, "analyst", "/events");
  await open(page, `/events?range=24h&outcome=denied&requester=${encodeURIComponent(`${prefix}/*`)}`);
  await expect(page.getByRole("columnheader", { name: "Reason" })).toBeVisible();
  await expect(rows(page).first()).toContainText("=no grant");
  await expect(page.getByTestId("row-relative-time").first()).toHaveText(/(min|h) ago|just now/);
  await open(page, `/events?range=24h&requester=${encodeURIComponent(`${prefix}/*`)}`);
  await expect(page.getByRole("columnheader", { name: "Reason" })).toHaveCount(0);
});

test("facet counts on the outcome and type chips ignore their own facet's constraint", async ({
  page,
  request,
}, info) => {
  const prefix = await ingest(request, info, "facets");
  await signInAs(page, info, "analyst", "/events");
  // Filtered to denied writes: 3 rows; the outcome chips still count what a click would show
  // (2 successes), the type chips count the denied entries of each type (3 writes, 0 reads).
  await open(page, `/events?range=24h&outcome=denied&requester=${encodeURIComponent(`${prefix}/*`)}`);
  await expect(rows(page)).toHaveCount(3);
  await expect(page.getByTestId("facet-outcome-denied")).toHaveText("3");
  await expect(page.getByTestId("facet-outcome-success")).toHaveText("2");
  await expect(page.getByTestId("facet-outcome-failure")).toHaveText("0");
  await expect(page.getByTestId("facet-eventType-write")).toHaveText("3");
  await expect(page.getByTestId("facet-eventType-read")).toHaveText("0");
  // Filtered by type instead: the type chips count every type of the rest of the filter.
  await open(page, `/events?range=24h&eventType=read&requester=${encodeURIComponent(`${prefix}/*`)}`);
  await expect(rows(page)).toHaveCount(0);
  await expect(page.getByTestId("facet-eventType-write")).toHaveText("5");
  await expect(page.getByTestId("facet-outcome-denied")).toHaveText("0");
});

test("an analyst downloads the results as CSV and NDJSON", async ({ page, request }, info) => {
  const prefix = await ingest(request, info, "export");
  await signInAs(page, info, "analyst", "/events");
  await open(page, `/events?range=24h&sort=seq&requester=${encodeURIComponent(`${prefix}/*`)}`);
  await expect(page.getByTestId("export-bundle")).toHaveCount(0); // analysts may not create bundles
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-results-csv").click()]);
  expect(download.suggestedFilename()).toMatch(/^ledgerline-events-.*\.csv$/);
  const csv = fs
    .readFileSync((await download.path())!, "utf8")
    .trimEnd()
    .split("\r\n");
  expect(csv[0]).toMatch(/^seq,timestamp,/);
  expect(csv).toHaveLength(6);
  expect(csv.slice(1).every((l) => l.includes(prefix))).toBe(true);
  expect(csv.join("\n")).toContain("'=no grant"); // formula-safe
  const href = await page.getByTestId("export-results-ndjson").getAttribute("href");
  const res = await page.request.get(href!);
  expect(res.status()).toBe(200);
  const lines = (await res.text()).trimEnd().split("\n");
  expect(lines.map((l) => JSON.parse(l).requester.id.startsWith(prefix))).toEqual([true, true, true, true, true]);
});

test("an entry's page shows its checkpoint once signed, without a reload", async ({ page, request }, info) => {
  test.setTimeout(90_000);
  const prefix = await ingest(request, info, "await");
  await signInAs(page, info, "analyst", "/events");
  await open(page, `/events?range=24h&sort=-seq&requester=${encodeURIComponent(`${prefix}/*`)}`);
  await rows(page).first().getByTestId("row-seq").click();
  await expect(page.getByTestId("event-detail")).toBeVisible();
  const card = page.getByTestId("covering-checkpoint");
  // Checkpoints are signed every 10 s: the page may open before or after one covers the entry.
  if (await card.getByText("None yet").isVisible()) {
    await expect(page.getByTestId("await-checkpoint")).toBeVisible();
    await expect(card).toContainText("Tree size", { timeout: 60_000 });
  }
  await expect(card).toContainText("Tree size");
});
