import { expect, test } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import { queryStore } from "./support/store.ts";

// A security officer opens the integrity center, compares the verifier key,
// runs a full pass and watches it finish; the view itself is audited.

test("an auditor runs a full verification pass from /integrity and sees the log intact", async ({ page }, info) => {
  const { keys } = await (await page.request.get("/api/v1/keys")).json();
  const current = keys.find((k: { status: string }) => k.status === "current");
  const login = await signInAs(page, info, "auditor", "/integrity");
  await page.goto("/integrity");
  await page.waitForLoadState("networkidle");
  await expect(page.getByTestId("integrity-status")).toBeVisible();
  await expect(page.getByTestId("integrity-key")).toContainText(current.verifierKey);
  await expect(page.getByTestId("integrity-checkpoints")).toContainText(current.keyId);

  await page.getByTestId("run-full-pass").click();
  await expect(page.getByTestId("full-pass-progress")).toContainText("the log is intact", { timeout: 30_000 });
  await expect(page.getByTestId("integrity-status")).toContainText(/Intact|Verified through seq/);

  const api = await page.request.get("/api/v1/integrity");
  expect(api.status()).toBe(200);
  expect((await api.json()).status).toBe("verified");

  const views = await queryStore<{ n: number }>(
    info,
    "SELECT COUNT(*) AS n FROM entries WHERE requester_id = ? AND action = 'integrity.view'",
    [login.email],
  );
  expect(Number(views[0]!.n)).toBeGreaterThanOrEqual(1);
});

test("an analyst may not see the integrity center or its API", async ({ page }, info) => {
  await signInAs(page, info, "analyst");
  await page.goto("/integrity");
  await expect(page.getByTestId("forbidden")).toBeVisible();
  expect((await page.request.get("/api/v1/integrity")).status()).toBe(403);
  expect((await page.request.post("/api/v1/integrity/runs")).status()).toBe(403);
});
