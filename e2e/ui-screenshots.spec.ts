import fs from "node:fs";
import path from "node:path";
import { expect, test, type Browser, type TestInfo } from "@playwright/test";
import { signInAs, type Role } from "./support/auth.ts";
import {
  dashboardPages,
  expectNoHorizontalOverflow,
  ingestLongIds,
  readyBundle,
  inEachLook,
  STORE_INDEPENDENT,
} from "./support/ui.ts";

// Issue 15: a picture of every page at 1440 and 390 px, light and dark, kept as
// test artefacts in test-results/screenshots/<page>-<width>-<scheme>.png (the
// folder CI keeps) — with 1 024-character identifiers on screen. Each is also
// checked not to scroll sideways. Layout does not depend on the store, so the
// SQLite server alone is photographed.

const DIR = path.resolve(import.meta.dirname, "../test-results/screenshots");

async function shoot(browser: Browser, info: TestInfo, role: Role, pages: Array<{ name: string; path: string }>) {
  await inEachLook(browser, async (page, { width, scheme }) => {
    await signInAs(page, info, role);
    for (const p of pages) {
      await page.goto(p.path);
      await page.waitForLoadState("networkidle");
      // Charts draw after hydration; give the last frame a moment.
      await page.waitForTimeout(300);
      await expectNoHorizontalOverflow(page, `${p.name} at ${width} (${scheme})`);
      await page.screenshot({ path: path.join(DIR, `${p.name}-${width}-${scheme}.png`), fullPage: true });
    }
  });
}

test("screenshots of every page, 1440 and 390, light and dark", async ({ browser, page }, info) => {
  test.skip(info.project.name !== "sqlite", STORE_INDEPENDENT);
  test.setTimeout(300_000);
  const long = await ingestLongIds(page.request, info);
  await signInAs(page, info, "auditor", "/bundles");
  const { id: bundleId } = await readyBundle(page, { target: long.target });
  await shoot(browser, info, "admin", [
    ...dashboardPages({ long, bundleId }),
    { name: "not-found", path: "/events/999999999999" },
  ]);
  await shoot(browser, info, "analyst", [{ name: "forbidden", path: "/integrity" }]);
  // The sign-in page, signed out.
  await inEachLook(browser, async (p, { width, scheme }) => {
    await p.goto("/login");
    await p.waitForLoadState("networkidle");
    await expectNoHorizontalOverflow(p, `login at ${width}`);
    await p.screenshot({ path: path.join(DIR, `login-${width}-${scheme}.png`), fullPage: true });
  });
  // 12 dashboard pages + not-found + forbidden + login, × 2 widths × 2 schemes.
  expect(fs.readdirSync(DIR).filter((f) => f.endsWith(".png")).length).toBeGreaterThanOrEqual(15 * 4);
});
