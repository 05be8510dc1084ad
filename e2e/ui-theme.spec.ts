import { expect, test, type Page } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import { STORE_INDEPENDENT } from "./support/ui.ts";

// Issue 15, item 13: dark mode follows the system's prefers-color-scheme; a
// toggle overrides it, is remembered, and is right from the first byte (the
// server renders it from a cookie: no flash, no script — it even works with
// JavaScript off, so a nonce-only CSP cannot break it); charts take their
// colours from the theme.

test.beforeEach(({}, info) => {
  test.skip(info.project.name !== "sqlite", STORE_INDEPENDENT);
});

type Rgb = [number, number, number];
const parse = (css: string): Rgb => (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number) as Rgb;
const luminance = ([r, g, b]: Rgb) => {
  const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};
const contrast = (a: Rgb, b: Rgb) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number];
  return (x + 0.05) / (y + 0.05);
};
const bodyBg = async (page: Page) => parse(await page.evaluate(() => getComputedStyle(document.body).backgroundColor));

async function chartColours(page: Page) {
  const chart = page.getByTestId("histogram");
  await expect(chart.locator(".recharts-bar-rectangle path, .recharts-bar-rectangle rect").first()).toBeVisible();
  return page.evaluate(() => {
    const chart = document.querySelector('[data-testid="histogram"]')!;
    const card = chart.closest(".card")!;
    const bar = chart.querySelector(".recharts-bar-rectangle path, .recharts-bar-rectangle rect")!;
    const tick = chart.querySelector(".recharts-cartesian-axis-tick-value")!;
    return {
      card: getComputedStyle(card).backgroundColor,
      bar: getComputedStyle(bar).fill,
      tick: getComputedStyle(tick).fill,
    };
  });
}

test("the dashboard follows the system's colour scheme, charts included", async ({ browser }, info) => {
  const seen: Record<string, { bg: Rgb; bar: string }> = {};
  for (const colorScheme of ["light", "dark"] as const) {
    const context = await browser.newContext({ colorScheme });
    const page = await context.newPage();
    await signInAs(page, info, "analyst", "/events?range=30d");
    await page.waitForLoadState("networkidle");
    const bg = await bodyBg(page);
    expect(luminance(bg) > 0.5, `${colorScheme} background ${bg}`).toBe(colorScheme === "light");
    const c = await chartColours(page);
    // Axis labels readable on the card; bars drawn in a colour of this scheme.
    expect(contrast(parse(c.tick), parse(c.card)), `${colorScheme} axis labels`).toBeGreaterThanOrEqual(4.5);
    expect(contrast(parse(c.bar), parse(c.card)), `${colorScheme} bars`).toBeGreaterThanOrEqual(2);
    seen[colorScheme] = { bg, bar: c.bar };
    await context.close();
  }
  expect(seen.dark!.bar).not.toBe(seen.light!.bar);
});

test("the toggle overrides the system, is remembered, and is rendered by the server (no script needed)", async ({
  browser,
}, info) => {
  const context = await browser.newContext({ colorScheme: "light" });
  const page = await context.newPage();
  await signInAs(page, info, "auditor", "/integrity");
  await page.waitForLoadState("networkidle");
  expect(luminance(await bodyBg(page))).toBeGreaterThan(0.5);

  await page.getByTestId("theme-toggle").click();
  await page.getByTestId("theme-dark").check();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(luminance(await bodyBg(page))).toBeLessThan(0.1);
  await expect(page.getByTestId("theme-toggle")).toHaveAttribute("aria-label", "Colour scheme: Dark");

  // Remembered, and in the very first HTML the server sends: nothing to flash.
  const html = await (await page.request.get("/integrity")).text();
  expect(html).toMatch(/<html[^>]*\bdata-theme="dark"/);
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");

  // With JavaScript off (as under a CSP that blocks a script) the page is still dark.
  const noJs = await browser.newContext({
    colorScheme: "light",
    javaScriptEnabled: false,
    storageState: await context.storageState(),
  });
  const still = await noJs.newPage();
  await still.goto("/integrity");
  expect(luminance(await bodyBg(still))).toBeLessThan(0.1);
  await noJs.close();

  // "Light" wins over a dark system; "System" hands back to it.
  const dark = await browser.newContext({ colorScheme: "dark", storageState: await context.storageState() });
  const p2 = await dark.newPage();
  await p2.goto("/integrity");
  await p2.waitForLoadState("networkidle");
  await p2.getByTestId("theme-toggle").click();
  await p2.getByTestId("theme-light").check();
  expect(luminance(await bodyBg(p2))).toBeGreaterThan(0.5);
  await p2.getByTestId("theme-system").check();
  await expect(p2.locator("html")).not.toHaveAttribute("data-theme", /.*/);
  expect(luminance(await bodyBg(p2))).toBeLessThan(0.1);
  await p2.reload();
  expect(luminance(await bodyBg(p2))).toBeLessThan(0.1);
  await dark.close();
  await context.close();
});
