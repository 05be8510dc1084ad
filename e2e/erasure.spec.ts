import crypto from "node:crypto";
import path from "node:path";
import { expect, test, type Browser, type Page, type TestInfo } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import { expectNoHorizontalOverflow, inEachLook } from "./support/ui.ts";

// Issue 18 (s6-eraseui): an admin declares a personal field, a service sends events, the
// admin previews and confirms an erasure on /admin/erasure; the explorer table and the
// trace view then say "erased on <date> (request <ref>)" where the value was — linking
// the receipt — and the receipt is listed. Screenshots of the three pages at 1440 and
// 390 px, light and dark, in test-results/screenshots/.

const DIR = path.resolve(import.meta.dirname, "../test-results/screenshots");

/** An ingest key for `source`, created on the admin page (shown once). */
async function keyFor(page: Page, source: string): Promise<string> {
  await page.goto("/admin/keys");
  await page.waitForLoadState("networkidle");
  const form = page.getByTestId("create-key-form");
  await form.getByLabel("Source identity").fill(source);
  await form.getByRole("button", { name: "Create key" }).click();
  return (await page.getByTestId("shown-secret").innerText()).trim();
}

async function declare(page: Page, source: string, pointer: string) {
  await page.goto("/admin/erasure");
  await page.waitForLoadState("networkidle");
  const form = page.getByTestId("declare-form");
  await form.getByLabel("Source (or * for every source)").fill(source);
  await form.getByLabel("JSON pointer").fill(pointer);
  await form.getByRole("button", { name: "Declare" }).click();
  await expect(page.getByTestId("personal-fields-table")).toContainText(source);
}

async function erase(page: Page, value: string, request: string, expected: number) {
  const form = page.getByTestId("erase-form");
  await form.getByLabel("Field").fill("/requester/id");
  await form.getByLabel("Value", { exact: true }).fill(value);
  await form.getByLabel("Request reference").fill(request);
  await page.getByTestId("erase-preview").click();
  await expect(page.getByTestId("erase-due")).toHaveText(String(expected));
  await page.getByRole("button", { name: `Erase /requester/id of ${expected} entries` }).click();
  await page.getByTestId("confirm").click();
  await expect(page.getByTestId("erase-done")).toContainText(/receipt seq \d+/);
}

async function shoot(browser: Browser, info: TestInfo, pages: Array<{ name: string; path: string }>) {
  await inEachLook(browser, async (page, { scheme, width }) => {
    await signInAs(page, info, "admin");
    for (const p of pages) {
      await page.goto(p.path);
      await page.waitForLoadState("networkidle");
      await expectNoHorizontalOverflow(page, `${p.name} at ${width} (${scheme})`);
      await page.screenshot({ path: path.join(DIR, `${p.name}-${width}-${scheme}.png`), fullPage: true });
    }
  });
}

test("an admin declares, previews and erases; the explorer and the trace show the erasure", async ({
  page,
  browser,
}, info) => {
  test.setTimeout(240_000);
  const tag = `${info.project.name}-${crypto.randomBytes(4).toString("hex")}`;
  const source = `spiffe://e2e.example/ns/crm/sa/erasure-${tag}`;
  const subject = `subject-${tag}@example.com`;
  const corr = `e2e-erasure-${tag}`;
  const request = `DSR-${tag}`;
  await signInAs(page, info, "admin");
  const key = await keyFor(page, source);
  await declare(page, source, "/requester/id");
  const now = Date.now() - 2_000;
  const data = [subject, subject, `kept-${tag}@example.com`].map((id, i) => ({
    timestamp: new Date(now + i * 10).toISOString(),
    eventType: "read",
    requester: { id, type: "user" },
    target: { id: `crm://contacts/${tag}/${i}`, service: "crm" },
    outcome: "success",
    correlationId: corr,
  }));
  const res = await page.request.post("/api/v1/events", { headers: { authorization: `Bearer ${key}` }, data });
  expect(res.status(), await res.text()).toBe(201);

  await page.goto("/admin/erasure");
  await page.waitForLoadState("networkidle");
  await erase(page, subject, request, 2);
  await page.reload();
  await expect(page.getByTestId("erasures-table")).toContainText(request);

  await page.goto(`/events?range=all&correlationId=${encodeURIComponent(corr)}`);
  const markers = page.getByTestId("row-requester").or(page.getByTestId("erased-marker"));
  await expect(page.getByTestId("erased-marker")).toHaveCount(2);
  await expect(page.getByTestId("erased-marker").first()).toContainText(
    new RegExp(`erased on \\d{4}-\\d\\d-\\d\\d \\(request ${request}, receipt seq \\d+\\)`),
  );
  await expect(markers).toHaveCount(3);
  await expect(page.getByTestId("events-table")).not.toContainText(subject);
  const receipt = page.getByTestId("erased-receipt-link").first();
  const receiptHref = await receipt.getAttribute("href");
  expect(receiptHref).toMatch(/^\/events\/\d+$/);

  await page.goto(`/trace/${encodeURIComponent(corr)}`);
  await expect(page.getByTestId("trace-entries").getByTestId("erased-marker")).toHaveCount(2);
  await expect(page.getByTestId("trace-entries")).not.toContainText(subject);

  await shoot(browser, info, [
    { name: "admin-erasure-done", path: "/admin/erasure" },
    { name: "events-erased", path: `/events?range=all&correlationId=${encodeURIComponent(corr)}` },
    { name: "trace-erased", path: `/trace/${encodeURIComponent(corr)}` },
  ]);
});

test("the erasure page refuses a bad pointer with a clear error and loses nothing", async ({ page }, info) => {
  await signInAs(page, info, "admin", "/admin/erasure");
  await page.waitForLoadState("networkidle");
  const form = page.getByTestId("declare-form");
  await form.getByLabel("Source (or * for every source)").fill("spiffe://e2e.example/ns/x/sa/y");
  await form.getByLabel("JSON pointer").fill("/target/id");
  await form.getByRole("button", { name: "Declare" }).click();
  await expect(page.getByTestId("action-error")).toContainText(/pointer "\/target\/id"/);
  await expect(form.getByLabel("JSON pointer")).toHaveValue("/target/id");
});
