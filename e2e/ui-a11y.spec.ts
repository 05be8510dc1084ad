import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { signInAs, type Role } from "./support/auth.ts";
import { dashboardPages, ingestLongIds, readyBundle, STORE_INDEPENDENT, type LongIds } from "./support/ui.ts";

// Issue 15, item 17: axe-core finds no violation (WCAG A/AA and best practices)
// on any page, for any role — forbidden pages included — and no contrast
// failure in the dark scheme. axe takes seconds per page on a busy machine, so
// each check runs where its outcome can differ: every rule on every page as
// admin (who sees all of them); for the other roles the pages whose markup
// depends on the role (their forbidden pages, the explorer and trace without the
// export button); contrast alone on every page in dark (only colours change).
// Markup does not depend on the store: the SQLite server only.

let fx: { long: LongIds; bundleId: string };

test.beforeAll(async ({ browser }, info) => {
  test.skip(info.project.name !== "sqlite", STORE_INDEPENDENT);
  const context = await browser.newContext();
  const page = await context.newPage();
  const long = await ingestLongIds(page.request, info);
  await signInAs(page, info, "auditor", "/bundles");
  const { id } = await readyBundle(page, { correlationId: long.correlationId });
  fx = { long, bundleId: id };
  await context.close();
});

async function expectNoViolations(page: Page, what: string, rules?: string[]) {
  await page.waitForLoadState("networkidle");
  let axe = new AxeBuilder({ page }).options({ resultTypes: ["violations"] });
  if (rules) axe = axe.withRules(rules);
  const { violations } = await axe.analyze();
  const report = violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}`).join("\n")}`,
  );
  expect(report, `axe on ${what}`).toEqual([]);
}

/** Where each role's markup differs from what admin gets (admin: every page). */
const PAGES_BY_ROLE: Record<Role, (all: Array<{ name: string; path: string }>) => string[]> = {
  admin: (all) => all.map((p) => p.path),
  auditor: () => ["/admin/users", "/admin/keys", "/admin/tokens"],
  analyst: (all) =>
    all
      .filter((p) => ["events", "trace", "integrity", "bundles", "bundle-detail", "admin-users"].includes(p.name))
      .map((p) => p.path),
};

for (const role of ["admin", "auditor", "analyst"] as Role[]) {
  test(`${role}: every page, allowed or forbidden, has no axe violation`, async ({ page }, info) => {
    test.setTimeout(240_000);
    await signInAs(page, info, role);
    for (const path of PAGES_BY_ROLE[role](dashboardPages(fx))) {
      await page.goto(path);
      await expectNoViolations(page, `${path} as ${role}`);
    }
  });
}

test("dark scheme: no contrast failure on any page, open menus included", async ({ browser }, info) => {
  test.setTimeout(600_000); // every page in dark, each with an axe pass: minutes on a loaded machine
  const context = await browser.newContext({ colorScheme: "dark" });
  const page = await context.newPage();
  await signInAs(page, info, "admin");
  for (const p of dashboardPages(fx)) {
    await page.goto(p.path);
    await expectNoViolations(page, `${p.path} in dark`, ["color-contrast"]);
  }
  // The histogram with a keyboard selection, and the open menus, in both schemes.
  await page.goto("/events?range=7d");
  await page.getByTestId("histogram").focus();
  await page.keyboard.press("End");
  await page.getByTestId("theme-toggle").click();
  await expectNoViolations(page, "the explorer with its menus open, dark");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId("menu-toggle").click();
  await expectNoViolations(page, "the phone menu, dark", ["color-contrast"]);
  await context.close();
});

test("sign-in, 404 pages and the phone menu have no axe violation", async ({ page }, info) => {
  test.setTimeout(120_000);
  await page.goto("/login");
  await expectNoViolations(page, "/login");
  await signInAs(page, info, "analyst");
  for (const path of ["/no-such-page", "/events/999999999999", "/trace/a%01b"]) {
    await page.goto(path);
    await expectNoViolations(page, path);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/");
  await page.getByTestId("menu-toggle").click();
  await expectNoViolations(page, "the overview at 390 with the menu open");
});
