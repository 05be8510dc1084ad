import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import { expectNoHorizontalOverflow, VIEWPORTS } from "./support/ui.ts";

// Issue 19, review packs: an auditor schedules a saved view, runs its last period now,
// waits for the signed pack and signs it off with a comment that shows on the pack; the
// page is axe-clean and fits a phone. Analysts have no /reviews (roles.spec.ts).

test("an auditor schedules a saved view, runs its last period and signs the pack off", async ({ page }, info) => {
  test.setTimeout(180_000); // a bundle build in a child process on a shared machine
  await signInAs(page, info, "auditor");
  await page.goto("/reviews");
  const origin = new URL(page.url()).origin;
  const name = `Daily payments review ${info.project.name}-${Date.now()}`;
  const view = await page.request.post("/api/v1/views", {
    headers: { origin },
    data: { name, query: "service=payments", columns: ["ts", "outcome", "requester"], shared: false },
  });
  expect(view.status(), await view.text()).toBe(201);
  const { id: viewId } = (await view.json()) as { id: string };

  await page.goto(`/reviews?view=${viewId}`);
  const form = page.getByRole("form", { name: "Schedule a saved view" });
  await expect(form.getByLabel("Saved view")).toHaveValue(viewId);
  await form.getByLabel("Time zone (IANA)").fill("Europe/Berlin");
  await form.getByRole("button", { name: "Schedule review" }).click();
  await expect(page.getByTestId("schedule-review").getByTestId("action-ok")).toContainText("Scheduled");
  const row = page.getByTestId("review-schedules").getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("daily (0 0 * * *) Europe/Berlin");

  await row.getByRole("button", { name: "Run last period" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Pack queued." })).toBeVisible();
  const pack = page.getByTestId("review-pack").filter({ hasText: name }).first();
  await expect(async () => {
    await page.reload();
    await expect(pack.locator(".badge")).toHaveText("ready", { timeout: 2000 });
  }).toPass({ timeout: 120_000 });

  await pack.getByRole("button", { name: "Mark reviewed" }).click();
  await pack.getByLabel("What you reviewed and found").fill("No unexpected denials; nothing to escalate.");
  await pack.getByRole("button", { name: "Sign off" }).click();
  await expect(pack.getByTestId("review-done")).toContainText("No unexpected denials; nothing to escalate.");
  await expect(pack.getByTestId("review-done")).toContainText("Reviewed by");

  const { violations } = await new AxeBuilder({ page }).include("main").analyze();
  expect(violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  await page.setViewportSize(VIEWPORTS.phone.viewport);
  await expectNoHorizontalOverflow(page, "/reviews at 390 px");
});
