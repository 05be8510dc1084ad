import { expect, test } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import { STORE_INDEPENDENT, VIEWPORTS } from "./support/ui.ts";

// Issue 15, item 14: the dashboard by keyboard alone — a skip link, zooming the
// histogram, popups that close on Esc and on a click outside, and date fields
// that are one tab stop each.

test.beforeEach(({}, info) => {
  test.skip(info.project.name !== "sqlite", STORE_INDEPENDENT);
});

test("the first Tab offers a skip link that moves focus past the header", async ({ page }, info) => {
  await signInAs(page, info, "analyst", "/events");
  await page.waitForLoadState("networkidle");
  await expect(page.getByTestId("events-table")).toBeVisible();
  await page.locator("body").focus();
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.locator("#main-content")).toBeFocused();
  // The next Tab lands in the page, not in the header.
  await page.keyboard.press("Tab");
  const where = await page.evaluate(() => {
    const a = document.activeElement;
    return { inMain: !!a?.closest("#main-content"), what: a ? `${a.tagName} ${a.textContent?.slice(0, 40)}` : "none" };
  });
  expect(where.inMain, `focus went to ${where.what}`).toBe(true);
});

test("the histogram zooms from the keyboard: arrows pick a bar, Shift widens, Enter zooms, Esc clears", async ({
  page,
}, info) => {
  await signInAs(page, info, "auditor", "/events?range=24h");
  await page.waitForLoadState("networkidle");
  const chart = page.getByTestId("histogram");
  await expect(chart).toHaveAttribute("tabindex", "0");
  await chart.focus();
  const status = page.getByTestId("histogram-selection");
  await page.keyboard.press("End");
  await expect(status).toContainText("Enter zooms to this bar");
  await page.keyboard.press("Escape");
  await expect(status).toHaveText("");
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("Shift+ArrowRight");
  await expect(status).toContainText("Enter zooms to these bars");
  await expect(status).toContainText(/\d+ events \(\d+ success, \d+ failure, \d+ denied\)/);
  const perBar = (await page.locator(".histogram-card .card-head").textContent())!;
  const bucketMs = { "1 minute": 60_000, "10 minutes": 600_000, "1 hour": 3600_000, "1 day": 86_400_000 }[
    /(1 minute|10 minutes|1 hour|1 day) per bar/.exec(perBar)?.[1] ?? ""
  ];
  expect(bucketMs, perBar).toBeDefined();
  await page.keyboard.press("Enter");
  // Two bars: the URL holds their absolute span, two bars wide.
  await expect(page).toHaveURL(/[?&]from=.*[&]to=/);
  const url = new URL(page.url());
  const span = Date.parse(url.searchParams.get("to")!) - Date.parse(url.searchParams.get("from")!);
  expect(span).toBe(2 * bucketMs!);
});

test("popups close on Esc (focus back on their button) and on a click outside", async ({ page }, info) => {
  await signInAs(page, info, "analyst", "/events");
  await page.waitForLoadState("networkidle");

  // The column chooser.
  const chooser = page.getByTestId("column-chooser");
  const summary = chooser.locator("summary");
  await summary.click();
  await expect(page.getByTestId("column-toggle-source")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("column-toggle-source")).toBeHidden();
  await expect(summary).toBeFocused();
  await summary.click();
  await expect(page.getByTestId("column-toggle-source")).toBeVisible();
  await page.getByRole("heading", { name: "Events", level: 1 }).click();
  await expect(page.getByTestId("column-toggle-source")).toBeHidden();

  // The colour-scheme menu.
  const theme = page.getByTestId("theme-toggle");
  await theme.click();
  await expect(page.getByTestId("theme-menu")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("theme-menu")).toBeHidden();
  await expect(theme).toBeFocused();
  await theme.click();
  await page.getByRole("heading", { name: "Events", level: 1 }).click();
  await expect(page.getByTestId("theme-menu")).toBeHidden();

  // The phone menu: see ui-layout.spec.ts; here by keyboard only.
  await page.setViewportSize(VIEWPORTS.phone.viewport);
  const toggle = page.getByTestId("menu-toggle");
  await toggle.focus();
  await page.keyboard.press("Enter");
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  await page.keyboard.press("Escape");
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(toggle).toBeFocused();
});

test("From and To are one tab stop each, and take a typed date", async ({ page }, info) => {
  await signInAs(page, info, "analyst", "/events?range=24h&tz=utc");
  await page.waitForLoadState("networkidle");
  const from = page.getByTestId("filter-from");
  await from.focus();
  await page.keyboard.press("Tab");
  await expect(page.getByTestId("filter-to")).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(page.getByTestId("tz-local")).toBeFocused();

  await from.fill("2026-13-01");
  await from.press("Enter");
  await expect(page.getByTestId("filter-problem")).toContainText("2026-11-27 13:00:05");
  await from.fill("2025-01-02 03:04:05");
  await page.getByTestId("filter-to").fill("2025-01-03");
  await page.getByTestId("filter-to").press("Enter");
  await expect(page).toHaveURL(/from=2025-01-02T03%3A04%3A05\.000Z/);
  await expect(page).toHaveURL(/to=2025-01-03T00%3A00%3A00\.000Z/);
  await expect(page.getByTestId("filter-from")).toHaveValue("2025-01-02T03:04:05");
});
