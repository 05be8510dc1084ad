import { spawnSync } from "node:child_process";
import path from "node:path";
import { expect, test, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import { queryStore } from "./support/store.ts";

// Issue 18, selective disclosure: an auditor exports entries with a personal field, withholding
// it in the bundle form; the bundle page says so, and /verify lists the field per pointer as
// withheld on purpose — while a bundle of the same entries without withholding discloses it.

const POINTER = "/attributes/e2eSubject";
const root = path.resolve(import.meta.dirname, "..");
const SHOTS = path.join(root, "test-results/screenshots");

/** The page as it is now at 1440 and 390 px, light and dark (SQLite only: layout does not depend on the store). */
async function snap(page: Page, info: TestInfo, name: string) {
  if (info.project.name !== "sqlite") return;
  for (const colorScheme of ["light", "dark"] as const)
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme });
      await page.waitForTimeout(200);
      await page.screenshot({ path: path.join(SHOTS, `${name}-${width}-${colorScheme}.png`), fullPage: true });
    }
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.emulateMedia({ colorScheme: "light" });
}

const keyFor = (info: TestInfo) =>
  (info.project.name === "postgres" ? process.env.E2E_POSTGRES_KEY : process.env.E2E_SQLITE_KEY) ?? "";

/** Declares POINTER personal for the e2e key's source, with the CLI against this project's store. */
function declarePersonal(info: TestInfo, source: string) {
  const pg = info.project.name === "postgres";
  const env = {
    ...process.env,
    NODE_OPTIONS: "",
    LEDGERLINE_DATA_DIR: (pg ? process.env.E2E_POSTGRES_DATA_DIR : process.env.E2E_SQLITE_DATA_DIR)!,
    ...(pg ? { DATABASE_URL: process.env.E2E_POSTGRES_DATABASE_URL! } : {}),
  };
  const args = ["bin/ledgerline.mjs", "personal-fields", "declare", "--source", source, "--pointer", POINTER];
  const r = spawnSync(process.execPath, args, { cwd: root, env, encoding: "utf8" });
  expect(r.status, r.stdout + r.stderr).toBe(0);
}

/** Three entries of a service of their own, each with a personal attribute (a v2 leaf once declared). */
async function ingestPersonal(request: APIRequestContext, info: TestInfo): Promise<string> {
  const service = `e2e-disclose-${info.project.name}-${Date.now()}`;
  const post = (n: number) =>
    request.post("/api/v1/events", {
      headers: { authorization: `Bearer ${keyFor(info)}` },
      data: Array.from({ length: n }, (_, i) => ({
        timestamp: new Date().toISOString(),
        eventType: "read",
        requester: { id: `spiffe://e2e-disclose/sa/${i}` },
        target: { id: `db://${service}/t${i}`, service, type: "db" },
        outcome: "success",
        attributes: { e2eSubject: `subject-${i}@example.com` },
      })),
    });
  // The first entry tells which source the key writes as; the declaration applies to later ones.
  const first = await post(1);
  expect(first.status(), await first.text()).toBe(201);
  const [row] = await queryStore<{ source: string }>(info, "SELECT source FROM entries WHERE target_service = ?", [
    service,
  ]);
  declarePersonal(info, row!.source);
  const rest = await post(3);
  expect(rest.status(), await rest.text()).toBe(201);
  return service;
}

async function bundleFromForm(page: Page, service: string, withhold: string, info?: TestInfo): Promise<string> {
  await page.goto("/bundles");
  await page.getByTestId("new-bundle-filter").fill(`/events?service=${service}&range=all`);
  await page.getByTestId("new-bundle-submit").click();
  await expect(page.getByTestId("bundle-preview-count")).toHaveAttribute("data-count", "4");
  await page.getByTestId("bundle-withhold").fill(withhold);
  if (info) await snap(page, info, "bundle-withhold-form");
  await page.getByTestId("bundle-confirm").click();
  await expect(page).toHaveURL(/\/bundles\/[^/]+$/);
  await expect(page.getByTestId("bundle-count")).toHaveText("4", { timeout: 45_000 });
  if (info) await snap(page, info, "bundle-detail-withheld");
  return page.url().split("/").at(-1)!;
}

async function verifyInPage(page: Page, id: string) {
  const zip = await page.request.get(`/api/v1/bundles/${id}/download`);
  expect(zip.status()).toBe(200);
  await page.goto("/verify");
  await page.waitForLoadState("networkidle");
  // The page keeps the key pasted earlier in this tab: the button is disabled once it is in use.
  const useCurrent = page.getByTestId("verify-use-current-key");
  if (await useCurrent.isEnabled()) await useCurrent.click();
  await page
    .getByTestId("verify-file")
    .setInputFiles({ name: `${id}.zip`, mimeType: "application/zip", buffer: await zip.body() });
  await expect(page.getByTestId("verify-result")).toHaveAttribute("data-verdict", "verified", { timeout: 45_000 });
  return page.locator(`[data-testid="verify-personal-field"][data-pointer="${POINTER}"]`);
}

test("an auditor withholds a personal field in the bundle form, and /verify reports it", async ({ page }, info) => {
  test.setTimeout(240_000); // two bundles built and verified, and twelve screenshots
  await signInAs(page, info, "auditor", "/bundles");
  const service = await ingestPersonal(page.request, info);

  // A pointer that cannot be personal is refused in the form, before anything is created.
  await page.goto("/bundles");
  await page.getByTestId("new-bundle-filter").fill(`/events?service=${service}&range=all`);
  await page.getByTestId("new-bundle-submit").click();
  await page.getByTestId("bundle-withhold").fill("/target/id");
  await expect(page.getByTestId("bundle-withhold-error")).toContainText("Cannot withhold /target/id");
  await expect(page.getByTestId("bundle-confirm")).toBeDisabled();

  const withheld = await bundleFromForm(page, service, POINTER, info);
  await expect(page.getByTestId("bundle-withheld")).toContainText(`withheld: ${POINTER}`);
  const row = await verifyInPage(page, withheld);
  await expect(row.getByTestId("disclosed")).toHaveText("0");
  await expect(row.getByTestId("withheld")).toHaveText("3 withheld on purpose (manifest.withheld)");
  await snap(page, info, "verify-personal");

  const disclosed = await bundleFromForm(page, service, "");
  const open = await verifyInPage(page, disclosed);
  await expect(open.getByTestId("disclosed")).toHaveText("3");
  await expect(open.getByTestId("withheld")).toHaveText("0 withheld");

  const audit = await queryStore<{ attributes: string }>(
    info,
    "SELECT attributes FROM entries WHERE action = 'bundles.create' AND target_id = ?",
    [`ledgerline:bundles/${withheld}`],
  );
  expect(JSON.parse(audit[0]!.attributes)).toMatchObject({ withheld: POINTER });
});
