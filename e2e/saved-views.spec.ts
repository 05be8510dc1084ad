import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import { queryStore } from "./support/store.ts";
import { expectNoHorizontalOverflow, VIEWPORTS } from "./support/ui.ts";

// Issue 15 item 7, saved views: an analyst names a filter (a relative range)
// and the visible columns, shares it; another user finds it on the overview and
// opening it restores the filter and the columns; a duplicate name is refused
// with a clear message; the owner renames it from the Views menu (a shared
// view's new name is logged); the menu is axe-clean and fits a phone.

const keyFor = (info: TestInfo) =>
  (info.project.name === "postgres" ? process.env.E2E_POSTGRES_KEY : process.env.E2E_SQLITE_KEY) ?? "";

async function openExplorer(page: Page, path: string) {
  await page.goto(path);
  await page.waitForLoadState("networkidle");
  await expect(page.getByTestId("events-table")).toBeVisible();
}

async function saveView(page: Page, name: string, shared: boolean) {
  await page.getByTestId("views-menu").locator("summary").click();
  await page.getByTestId("view-name").fill(name);
  if (shared) await page.getByTestId("view-shared").check();
  await page.getByTestId("save-view").click();
}

test("save a shared view; another user opens it from the overview with its filter and columns", async ({
  page,
  browser,
  request,
}, info) => {
  test.setTimeout(120_000); // two browser contexts and four page loads on a shared machine
  const tag = `${info.project.name}-${Date.now()}`;
  const requester = `spiffe://e2e-views/${tag}/sa/a`;
  const res = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${keyFor(info)}` },
    data: ["denied", "success"].map((outcome) => ({
      timestamp: new Date(Date.now() - 60_000).toISOString(),
      eventType: "read",
      requester: { id: requester },
      target: { id: "db://views/t", service: "payments" },
      outcome,
    })),
  });
  expect(res.status(), await res.text()).toBe(201);

  await signInAs(page, info, "analyst", "/events");
  await openExplorer(page, `/events?range=24h&outcome=denied&requester=${encodeURIComponent(requester)}`);
  await page.getByTestId("column-chooser").locator("summary").click();
  await page.getByTestId("column-toggle-action").uncheck();
  await page.keyboard.press("Escape");
  const name = `Denied ${tag}`;
  await saveView(page, name, true);
  await expect(page).toHaveURL(/view=/);
  expect(page.url()).toMatch(/range=24h/); // kept relative, not frozen into from/to
  await expect(page.getByTestId("views-menu").locator("summary")).toHaveText(`View: ${name}`);

  // The same name again: refused with a message naming it, nothing else saved.
  await saveView(page, name, false);
  await expect(page.getByTestId("save-view-error")).toContainText(`already have a view named "${name}"`);
  await page.keyboard.press("Escape");

  // An auditor (another browser context, default columns) opens it from the overview.
  const other = await browser.newContext();
  const p2 = await other.newPage();
  await signInAs(p2, info, "auditor", "/");
  await p2.goto("/");
  const link = p2.getByTestId("saved-views").getByRole("link", { name });
  await expect(link).toBeVisible();
  await link.click();
  await expect(p2.getByTestId("events-table")).toBeVisible();
  await expect(p2).toHaveURL(/range=24h/);
  await expect(p2.getByTestId("event-row")).toHaveCount(1);
  await expect(p2.getByRole("columnheader", { name: "Action" })).toHaveCount(0);
  await expect(p2.getByRole("columnheader", { name: /^Outcome/ })).toHaveCount(1);
  // Changing the filter leaves the view: its name no longer labels the page.
  await p2.getByTestId("views-menu").locator("summary").click();
  await expect(p2.getByTestId("views-list").getByRole("link", { name })).toHaveAttribute("aria-current", "page");
  await other.close();

  // The owner deletes it; it leaves the overview.
  await page.getByTestId("views-menu").locator("summary").click();
  await page.getByRole("button", { name: `Delete view ${name}` }).click();
  // Deleted (the action answered and the page refreshed) before leaving the page.
  await expect(page.getByTestId("views-menu").locator("summary")).toHaveText("Views");
  await page.goto("/");
  await expect(page.getByTestId("saved-views").getByRole("link", { name })).toHaveCount(0);
});

test("the views menu fits a phone with a long name and is axe-clean", async ({ page }, info) => {
  test.skip(info.project.name !== "sqlite", "markup is the same on every store");
  await page.setViewportSize(VIEWPORTS.phone.viewport);
  await signInAs(page, info, "auditor", "/events");
  await openExplorer(page, "/events?range=1h");
  const name = `${"Long-view-name-".repeat(5)}${Date.now()}`.slice(0, 80);
  await saveView(page, name, false);
  await expect(page).toHaveURL(/view=/);
  await page.getByTestId("views-menu").locator("summary").click();
  await expect(page.getByTestId("views-list")).toBeVisible();
  await expectNoHorizontalOverflow(page, "explorer with the views menu open at 390 px");
  const { violations } = await new AxeBuilder({ page }).include("[data-testid=views-menu]").analyze();
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  await page.goto("/");
  await expectNoHorizontalOverflow(page, "overview with a long saved view name at 390 px");
});

test("the owner renames a shared view from the Views menu; others see the new name and the log has it", async ({
  page,
  browser,
}, info) => {
  test.setTimeout(120_000);
  const tag = `${info.project.name}-${Date.now()}`;
  const login = await signInAs(page, info, "analyst", "/events");
  await openExplorer(page, "/events?range=24h&outcome=denied");
  const [first, other, renamed] = [`Rename me ${tag}`, `Taken ${tag}`, `Denials this week ${tag}`];
  await saveView(page, other, false);
  await expect(page.getByTestId("views-menu").locator("summary")).toHaveText(`View: ${other}`);
  await openExplorer(page, "/events?range=24h&outcome=denied");
  await saveView(page, first, true);
  await expect(page.getByTestId("views-menu").locator("summary")).toHaveText(`View: ${first}`);

  await page.getByTestId("views-menu").locator("summary").click();
  // Esc leaves the rename, not the menu, and changes nothing.
  await page.getByRole("button", { name: `Rename view ${first}` }).click();
  await page.getByTestId("rename-view-name").fill("something else");
  await page.getByTestId("rename-view-name").press("Escape");
  await expect(page.getByTestId("views-list").getByRole("link", { name: first })).toBeVisible();
  // Another of the owner's names: refused, with the name in the message; the input keeps what was typed.
  await page.getByRole("button", { name: `Rename view ${first}` }).click();
  await page.getByTestId("rename-view-name").fill(other);
  await page.getByTestId("rename-view-save").click();
  await expect(page.getByTestId("rename-view-error")).toContainText(`already have a view named "${other}"`);
  await expect(page.getByTestId("rename-view-name")).toHaveValue(other);
  // Enter renames; the menu's label follows (the open view is the renamed one).
  await page.getByTestId("rename-view-name").fill(renamed);
  await page.getByTestId("rename-view-name").press("Enter");
  await expect(page.getByTestId("views-menu").locator("summary")).toHaveText(`View: ${renamed}`);
  await expect(page).toHaveURL(/range=24h/);

  // Another user sees the shared view under its new name on the overview.
  const ctx = await browser.newContext();
  const p2 = await ctx.newPage();
  await signInAs(p2, info, "auditor", "/");
  await p2.goto("/");
  await expect(p2.getByTestId("saved-views").getByRole("link", { name: renamed })).toBeVisible();
  await expect(p2.getByTestId("saved-views").getByRole("link", { name: first })).toHaveCount(0);
  await ctx.close();

  // Renaming a shared view is in the log, by its owner, with both names; renaming nothing private was logged.
  const audit = await queryStore<{ action: string; attributes: string }>(
    info,
    "SELECT action, attributes FROM entries WHERE requester_id = ? AND target_id = ? AND action = ? ORDER BY seq",
    [login.email, "ledgerline:views", "views.rename"],
  );
  const mine = audit
    .map((a) => JSON.parse(a.attributes) as { from: string; name: string })
    .filter((a) => a.name === renamed);
  expect(mine).toEqual([expect.objectContaining({ from: first, name: renamed })]);
});
