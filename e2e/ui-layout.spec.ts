import { expect, test, type Page } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import {
  createLongSourceKey,
  dashboardPages,
  expectNoHorizontalOverflow,
  ingestLongIds,
  readyBundle,
  VIEWPORTS,
  STORE_INDEPENDENT,
} from "./support/ui.ts";

// Issue 15, items 5 and 12: every page fits a laptop, a phone (390 px) and 200 %
// zoom without scrolling sideways — with a 1 024-character target and a
// 512-character requester (the ingest limits) on screen; long identifiers are
// cut in the middle, whole on hover and focus, and copyable; the header folds
// into a menu; tables and the trace scroll inside their cards.

test.beforeEach(({}, info) => {
  test.skip(info.project.name !== "sqlite", STORE_INDEPENDENT);
});

const SIZES = [
  ["1440", VIEWPORTS.wide.viewport],
  ["390", VIEWPORTS.phone.viewport],
  ["200 % zoom", VIEWPORTS.zoom200.viewport],
] as const;

test("no page scrolls sideways at 1440, 390 and 200 % zoom, with 1 024-character identifiers on it", async ({
  page,
}, info) => {
  test.setTimeout(180_000);
  const long = await ingestLongIds(page.request, info);
  await signInAs(page, info, "admin");
  const source = await createLongSourceKey(page, long.tag);
  const { id: bundleId } = await readyBundle(page, { target: long.target });
  const pages = dashboardPages({ long, bundleId });
  for (const [label, size] of SIZES) {
    await page.setViewportSize(size);
    for (const p of pages) {
      await page.goto(p.path);
      await page.waitForLoadState("networkidle");
      await expectNoHorizontalOverflow(page, `${p.path} at ${label}`);
    }
  }
  // The long values were on those pages (not an empty page that trivially fits).
  await page.goto("/admin/keys");
  await expect(page.getByTestId("keys-table")).toContainText(source);
  await page.goto("/bundles");
  await expect(page.getByTestId(`bundle-row-${bundleId}`)).toContainText(long.tag);
  await page.goto(`/trace/${encodeURIComponent(long.correlationId)}`);
  await expect(page.getByTestId("trace-entries")).toContainText(long.tag);
});

async function expectTailVisible(page: Page, ident: ReturnType<Page["locator"]>, tail: string) {
  const t = ident.locator(".ident-tail");
  await expect(t).toBeVisible();
  expect(tail.endsWith((await t.textContent()) ?? "∅")).toBe(true);
  // Drawn whole inside the identifier's own box (which may sit in a table that scrolls).
  const [tb, ib] = [(await t.boundingBox())!, (await ident.boundingBox())!];
  expect(tb.x + tb.width).toBeLessThanOrEqual(ib.x + ib.width + 0.5);
  // Even when the tail itself must give way, it loses its start: its last character is in view.
  const text = (await t.locator("span").boundingBox())!;
  expect(text.x + text.width).toBeLessThanOrEqual(tb.x + tb.width + 0.5);
}

test("long identifiers are cut in the middle: the end stays visible, the whole value is on hover, on focus and in the copy", async ({
  page,
  context,
}, info) => {
  const long = await ingestLongIds(page.request, info);
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.setViewportSize(VIEWPORTS.phone.viewport);
  await signInAs(page, info, "auditor", `/events/${long.seq}`);
  await page.waitForLoadState("networkidle");

  const requester = page.locator(".ident", { has: page.getByTestId("detail-filter-requester") });
  const target = page.locator(".ident", { has: page.getByTestId("detail-filter-target") });
  // Whole in the DOM (copy by selection, find in page, screen readers), cut only on screen.
  await expect(page.getByTestId("detail-filter-requester")).toHaveText(long.requester);
  await expect(page.getByTestId("detail-filter-target")).toHaveText(long.target);
  await expectTailVisible(page, requester, long.requester);
  await expectTailVisible(page, target, long.target);
  const viewport = page.viewportSize()!.width;
  for (const i of [requester, target]) {
    const b = (await i.boundingBox())!;
    expect(b.x + b.width).toBeLessThanOrEqual(viewport);
  }
  const head = requester.locator(".ident-head");
  expect(await head.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);

  // Hover: the title. Focus: a popover with the whole value, which no scrolling box clips.
  await expect(requester).toHaveAttribute("title", long.requester);
  await page.getByTestId("detail-filter-requester").focus();
  const pop = requester.locator(".ident-popover");
  await expect(pop).toBeVisible();
  await expect(pop).toHaveText(long.requester);
  await page.keyboard.press("Tab"); // onto its copy button: still open
  await expect(pop).toBeVisible();
  await page.keyboard.press("Enter");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(long.requester);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(pop).toBeHidden();

  // The same component in the explorer's table and top lists.
  await page.goto(`/events?range=all&correlationId=${encodeURIComponent(long.correlationId)}`);
  await page.waitForLoadState("networkidle");
  const row = page.locator(`[data-testid="event-row"][data-seq="${long.seq}"]`);
  await expect(row.getByTestId("row-requester")).toHaveText(long.requester);
  await expectTailVisible(page, row.locator(".ident", { has: page.getByTestId("row-target") }), long.target);
  await expect(page.getByTestId("top-targets")).toContainText(long.target);
  await expectNoHorizontalOverflow(page, "the explorer with long identifiers");
});

test("on a phone the header folds into a menu that closes on Esc, outside and on navigation; the current page is marked", async ({
  page,
}, info) => {
  await signInAs(page, info, "admin", "/events");
  await page.waitForLoadState("networkidle");
  const nav = page.getByRole("navigation", { name: "Main" });
  const toggle = page.getByTestId("menu-toggle");

  // Wide: every link in view, no menu button; the page shown is marked.
  await page.setViewportSize(VIEWPORTS.wide.viewport);
  await expect(toggle).toBeHidden();
  await expect(nav.getByRole("link", { name: "Events" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Overview" })).not.toHaveAttribute("aria-current", /.*/);
  // The last link (an admin sees the most) on the first link's row.
  const rowTop = async () => (await nav.getByRole("link").last().boundingBox())!.y;
  expect(
    Math.abs((await rowTop()) - (await nav.getByRole("link", { name: "Overview" }).boundingBox())!.y),
  ).toBeLessThan(4);

  for (const [label, size] of [
    ["390", VIEWPORTS.phone.viewport],
    ["200 % zoom", VIEWPORTS.zoom200.viewport],
  ] as const) {
    await page.setViewportSize(size);
    await expect(toggle, label).toBeVisible();
    await expect(nav, label).toBeHidden();
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-expanded", "true");
    await expect(nav.getByRole("link", { name: "Events" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Events" })).toHaveAttribute("aria-current", "page");
    await expect(page.getByTestId("who")).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(nav).toBeHidden();
    await expect(toggle).toBeFocused();
    await toggle.click();
    await page.getByRole("heading", { name: "Events", level: 1 }).click(); // outside the menu
    await expect(nav).toBeHidden();
    await expectNoHorizontalOverflow(page, `the explorer at ${label}`);
  }

  await toggle.click();
  await nav.getByRole("link", { name: "Traces" }).click();
  await expect(page).toHaveURL(/\/trace$/);
  await expect(nav).toBeHidden();
  await toggle.click();
  await expect(nav.getByRole("link", { name: "Traces" })).toHaveAttribute("aria-current", "page");
});

test("on a phone cards stack, the table scrolls inside its card and the trace keeps readable sizes", async ({
  page,
}, info) => {
  const long = await ingestLongIds(page.request, info);
  await page.setViewportSize(VIEWPORTS.phone.viewport);
  await signInAs(page, info, "analyst", "/events?range=all");
  await page.waitForLoadState("networkidle");
  // One column: the cards sit one under the other, left-aligned.
  const box = async (id: string) => (await page.getByTestId(id).boundingBox())!;
  const [rates, requesters, targets] = [await box("rates"), await box("top-requesters"), await box("top-targets")];
  expect(requesters.y).toBeGreaterThan(rates.y + rates.height);
  expect(targets.y).toBeGreaterThan(requesters.y + requesters.height);
  expect(targets.x).toBe(requesters.x);
  const scroller = page.getByTestId("events-table").locator(".table-scroll");
  expect(await scroller.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  await expectNoHorizontalOverflow(page, "the explorer at 390");

  await page.goto(`/trace/${encodeURIComponent(long.correlationId)}`);
  await page.waitForLoadState("networkidle");
  // The timeline keeps its drawing size (drawn at least 1:1, its 12 px labels stay 12 px) and scrolls in its card.
  const svg = page.getByTestId("trace-timeline").locator(":scope > svg");
  const scale = await svg.evaluate(
    (el) => el.getBoundingClientRect().width / (el as SVGSVGElement).viewBox.baseVal.width,
  );
  expect(scale).toBeGreaterThanOrEqual(1);
  expect(await page.getByTestId("trace-timeline").evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  await expect(page.getByTestId("lane")).toHaveCount(4);
  await expectNoHorizontalOverflow(page, "the trace at 390");
});
