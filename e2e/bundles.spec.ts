import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import { queryStore } from "./support/store.ts";

// An auditor exports "all access to the cardholder-data service" as a signed
// evidence bundle, watches it build on /bundles, downloads it, and checks it on
// /verify — in the browser, without uploading it. An analyst may not export.

test("an auditor creates a bundle, downloads it when ready and verifies it in the browser", async ({ page }, info) => {
  const login = await signInAs(page, info, "auditor", "/bundles");
  const origin = new URL(page.url()).origin;
  const filter = { service: "payments", target: "db://payments-pg/cardholder*" };
  const created = await page.request.post("/api/v1/bundles", { data: { filter }, headers: { origin } });
  expect(created.status(), await created.text()).toBe(202);
  const { id } = (await created.json()) as { id: string };
  expect(created.headers()["location"]).toBe(`/api/v1/bundles/${id}`);

  await page.goto("/bundles");
  await page.waitForLoadState("networkidle");
  const row = page.getByTestId(`bundle-row-${id}`);
  await expect(row).toContainText(login.email);
  await expect(row).toContainText("service payments");
  await expect(row.getByTestId("bundle-status")).toHaveAttribute("data-status", "ready", { timeout: 45_000 });

  const api = (await (await page.request.get(`/api/v1/bundles/${id}`)).json()) as {
    count: number;
    sha256: string;
    size: number;
  };
  expect(api.count).toBeGreaterThan(0);
  await expect(row).toContainText(api.sha256.slice(0, 12));

  const [download] = await Promise.all([page.waitForEvent("download"), row.getByTestId("bundle-download").click()]);
  expect(download.suggestedFilename()).toBe(`ledgerline-bundle-${id}.zip`);
  const bytes = fs.readFileSync((await download.path())!);
  expect(bytes.length).toBe(api.size);

  // The detail page shows the same, with the commands to check it.
  await page.goto(`/bundles/${id}`);
  await expect(page.getByTestId("bundle-detail")).toContainText("openssl pkeyutl -verify");
  await expect(page.getByTestId("bundle-sha256")).toHaveText(api.sha256);

  await page.goto("/verify");
  await page.waitForLoadState("networkidle");
  await page.getByTestId("verify-use-current-key").click();
  await page
    .getByTestId("verify-file")
    .setInputFiles({ name: "bundle.zip", mimeType: "application/zip", buffer: bytes });
  const result = page.getByTestId("verify-result");
  await expect(result).toHaveAttribute("data-ok", "true", { timeout: 45_000 });
  await expect(result).toContainText("All checks passed");
  for (const check of ["zip", "signature", "checksums", "checkpoint", "entries", "manifest", "key"]) {
    await expect(page.getByTestId(`verify-check-${check}`)).toHaveAttribute("data-status", "pass");
  }

  // A tampered copy fails, naming the check.
  const bad = Buffer.from(bytes);
  const mid = Math.floor(bad.length / 2);
  bad[mid] = bad[mid]! ^ 0xff;
  await page
    .getByTestId("verify-file")
    .setInputFiles({ name: "tampered.zip", mimeType: "application/zip", buffer: bad });
  await expect(result).toHaveAttribute("data-ok", "false", { timeout: 45_000 });

  // Creation and download are in the log, as this auditor.
  const audit = await queryStore<{ action: string }>(
    info,
    "SELECT action FROM entries WHERE requester_id = ? AND target_id = ? ORDER BY seq",
    [login.email, `ledgerline:bundles/${id}`],
  );
  expect(audit.map((a) => a.action)).toEqual(["bundles.create", "bundles.download"]);
});

test("an analyst may not see, create or download bundles", async ({ page }, info) => {
  await signInAs(page, info, "analyst", "/bundles");
  await page.goto("/bundles");
  await expect(page.getByTestId("forbidden")).toBeVisible();
  const origin = new URL(page.url()).origin;
  expect((await page.request.post("/api/v1/bundles", { data: { filter: {} }, headers: { origin } })).status()).toBe(
    403,
  );
  expect((await page.request.get("/api/v1/bundles")).status()).toBe(403);
  // The verifier page needs no permission: it reads nothing from the log.
  await page.goto("/verify");
  await expect(page.getByTestId("verify-file")).toBeVisible();
});
