import crypto from "node:crypto";
import path from "node:path";
import { expect, test, type Browser, type TestInfo } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import { expectNoHorizontalOverflow, inEachLook } from "./support/ui.ts";

// Issue 18: archive before pruning, and the read-only search of an archive file. An admin sets a
// policy that archives, prunes; the auditor finds the month's file on /archive, sees it verified,
// filters its entries with the explorer's parameters and follows an entry to its prune receipt.

const keyFor = (info: TestInfo) =>
  (info.project.name === "postgres" ? process.env.E2E_POSTGRES_KEY : process.env.E2E_SQLITE_KEY) ?? "";

/** The search view at 1440 and 390 px, light and dark, beside the other pages' pictures (ui-screenshots.spec.ts). */
async function shoot(browser: Browser, info: TestInfo, url: string) {
  await inEachLook(browser, async (page, { scheme, width }) => {
    await signInAs(page, info, "auditor", url);
    await expect(page.getByTestId("archive-banner")).toBeVisible();
    await expectNoHorizontalOverflow(page, `archive search at ${width} (${scheme})`);
    const file = path.resolve(import.meta.dirname, `../test-results/screenshots/archive-search-${width}-${scheme}.png`);
    await page.screenshot({ path: file, fullPage: true });
  });
}

test("pruned entries stay searchable, read-only, in their verified monthly archive", async ({
  page,
  request,
  browser,
}, info) => {
  test.setTimeout(120_000);
  const tag = `${info.project.name}-${crypto.randomBytes(4).toString("hex")}`;
  const requester = `spiffe://archive.e2e.example/${tag}`;
  const events = Array.from({ length: 12 }, (_, i) => ({
    timestamp: new Date(Date.UTC(2023, 2, 1, 0, 0, i)).toISOString(),
    eventType: "read",
    requester: { id: requester, type: "service" },
    target: { id: `db://archive-e2e/${tag}/${i}`, service: "archive-e2e" },
    action: "SELECT cards",
    outcome: i % 4 === 0 ? "denied" : "success",
  }));
  const ingest = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${keyFor(info)}` },
    data: events,
  });
  expect(ingest.status(), await ingest.text()).toBeLessThan(300);

  await signInAs(page, info, "admin", "/admin/retention");
  const origin = new URL(page.url()).origin;
  const policy = `archive-${tag}`;
  const put = await page.request.put(`/api/v1/retention/policies/${policy}`, {
    data: { filter: { requester }, days: 400, archive: true },
    headers: { origin },
  });
  expect(put.status(), await put.text()).toBe(200);
  const pruned = await page.request.post("/api/v1/retention/prune", { data: { dryRun: false }, headers: { origin } });
  expect(pruned.status(), await pruned.text()).toBe(200);
  const file = ((await pruned.json()) as { archived: string[] }).archived.find((f) => f.includes(policy))!;
  expect(file).toMatch(/^ledgerline-archive-2023-03-/);

  await page.context().clearCookies();
  await signInAs(page, info, "auditor", "/archive");
  await page.getByTestId("archive-files").getByRole("link", { name: file }).click();
  await expect(page.getByTestId("archive-banner")).toContainText("Archive 2023-03");
  await expect(page.getByTestId("archive-banner")).toContainText("verified");
  await expect(page.getByTestId("archive-entries").locator("tbody tr")).toHaveCount(12);

  const form = page.getByTestId("archive-filter");
  await form.getByLabel("Outcome").fill("denied");
  await form.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/outcome=denied/);
  const rows = page.getByTestId("archive-entries").locator("tbody tr");
  await expect(rows).toHaveCount(3);
  const searchUrl = page.url();
  await rows
    .first()
    .getByRole("link", { name: /receipt seq \d+/ })
    .click();
  await expect(page).toHaveURL(/\/events\/\d+$/);
  await expect(page.getByText("ledgerline.prune-receipt/v1").first()).toBeVisible();
  if (info.project.name === "sqlite")
    await shoot(browser, info, new URL(searchUrl).pathname + new URL(searchUrl).search);
});

test("an analyst may not open the archive", async ({ page }, info) => {
  await signInAs(page, info, "analyst", "/archive");
  await expect(page.getByTestId("forbidden")).toBeVisible();
});
