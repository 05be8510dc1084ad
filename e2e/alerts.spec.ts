import { expect, test } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import { queryStore } from "./support/store.ts";

// The on-call loop on the real server: an admin adds a rule on /alerts, evaluates it, the
// alert shows on the page and the overview; it is acknowledged and resolved with a
// comment, and each step is an entry of the log. An auditor sees the alerts but cannot act.

test("an admin adds a rule, it fires, and is acknowledged and resolved — each step in the log", async ({
  page,
}, info) => {
  const name = `e2e-sign-ins-${Date.now().toString(36)}`;
  await signInAs(page, info, "admin", "/alerts");
  await page.goto("/alerts");
  await page.waitForLoadState("networkidle");
  const form = page.getByTestId("rule-form");
  await form.getByLabel("Name").fill(name);
  // Signing in just wrote a dashboard meta-audit entry: a count rule over it fires at once.
  await form.getByLabel("Filter (explorer filter as JSON)").fill('{"source": "ledgerline:dashboard"}');
  await form.getByLabel("Condition").selectOption("count");
  await form.getByLabel("Window (min)").fill("10");
  await form.getByLabel("Threshold").fill("1");
  await form.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByTestId("action-ok")).toContainText(`Added rule ${name}`);
  await expect(page.getByTestId("rules-table")).toContainText(name);
  await expect(page.getByTestId("rules-table")).toContainText("reads the rollup");

  await page.getByRole("button", { name: "Evaluate now" }).click();
  await expect(page.getByTestId("action-ok")).toContainText(/fired/);
  const row = page.getByTestId("open-alerts").getByTestId("alert-row").filter({ hasText: name });
  await expect(row).toHaveAttribute("data-state", "firing");
  await page.goto("/");
  await expect(page.getByTestId("open-alerts-card")).toBeVisible();

  await page.goto("/alerts");
  await row.getByRole("textbox").fill("looking into it");
  await row.getByRole("button", { name: "Acknowledge" }).click();
  await expect(row).toHaveAttribute("data-state", "acknowledged");
  await row.getByRole("button", { name: "Resolve" }).click();
  await expect(page.getByTestId("alert-history").getByTestId("alert-row").filter({ hasText: name })).toHaveCount(1);

  const steps = await queryStore<{ action: string; attributes: string }>(
    info,
    "SELECT action, attributes FROM entries WHERE source = 'ledgerline:alerts' ORDER BY seq",
  );
  const mine = steps.filter((s) => JSON.parse(s.attributes).ruleName === name);
  expect(mine.map((s) => s.action)).toEqual(["alert.fired", "alert.acknowledged", "alert.resolved"]);
  expect(JSON.parse(mine[1]!.attributes).comment).toBe("looking into it");
});

test("an auditor sees alerts and rules but may not acknowledge or add rules", async ({ page }, info) => {
  await signInAs(page, info, "auditor", "/alerts");
  await page.goto("/alerts");
  await expect(page.getByTestId("rules-table")).toBeVisible();
  await expect(page.getByTestId("rule-form")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Acknowledge" })).toHaveCount(0);
  expect((await page.request.get("/api/v1/alerts")).status()).toBe(200);
  const ack = await page.request.post("/api/v1/alerts/00000000-0000-4000-8000-000000000000/acknowledge", {
    headers: { origin: new URL(page.url()).origin },
  });
  expect(ack.status()).toBe(403);
});
