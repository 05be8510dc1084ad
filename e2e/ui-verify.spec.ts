import path from "node:path";
import { expect, test } from "@playwright/test";
import { fixtureBundle, zipFiles } from "../test/support/bundle-fixture.ts";
import { signInAs } from "./support/auth.ts";
import { expectNoHorizontalOverflow, inEachLook, readyBundle } from "./support/ui.ts";

// Issue 15, item 2: /verify never shows a verdict for anything but the key and
// file on the page. Before: after "All checks passed · signed by the key you
// trust", typing another key left that verdict up. (The wording is now the
// verdict's: verified only with a pinned key, "consistent but unpinned" without.)

test("a verdict never outlives its key or file: changing either clears it and checks again", async ({ page }, info) => {
  test.setTimeout(120_000);
  await signInAs(page, info, "auditor", "/bundles");
  const { bytes } = await readyBundle(page, { service: "payments", outcome: ["denied"] });
  await page.goto("/verify");
  await page.waitForLoadState("networkidle");
  const result = page.getByTestId("verify-result");
  const file = page.getByTestId("verify-file");
  const key = page.getByTestId("verify-key");
  const bundle = { name: "bundle.zip", mimeType: "application/zip", buffer: bytes };

  // The file input is labelled (it was not).
  await expect(page.getByLabel("Drop the bundle's .zip here, or choose it")).toHaveCount(1);

  await file.setInputFiles(bundle);
  // Without a pinned key a consistent bundle is never "verified" (issue 14): unpinned, not ok.
  await expect(result).toHaveAttribute("data-verdict", "unpinned", { timeout: 45_000 });
  await expect(result).toHaveAttribute("data-ok", "false");
  await expect(result).toContainText("Consistent but unpinned");
  await expect(page.getByTestId("verify-check-key")).toHaveAttribute("data-status", "skip");
  // Picking the same file again must fire a change: the input is emptied after each pick.
  await expect(file).toHaveValue("");

  await page.getByTestId("verify-use-current-key").click();
  await expect(result).toContainText("Verified: all checks passed, signed by the key you pinned", { timeout: 45_000 });
  await expect(page.getByTestId("verify-check-key")).toHaveAttribute("data-status", "pass");
  const trusted = await key.inputValue();

  // One keystroke, and the verdict for the old key is gone at once…
  await key.press("End");
  await key.press("X");
  await expect(result).toHaveCount(0);
  await expect(page.getByText("signed by the key you pinned")).toHaveCount(0);
  // …then the check runs again with what is typed, and fails on the key.
  await expect(result).toHaveAttribute("data-ok", "false", { timeout: 45_000 });
  await expect(page.getByTestId("verify-check-key")).toHaveAttribute("data-status", "fail");

  // Another deployment's key (well-formed, wrong): not verified either.
  const other = trusted.replace(
    /\+([0-9a-f]{8})\+/,
    (_m, id: string) => `+${id === "00000000" ? "11111111" : "00000000"}+`,
  );
  await key.fill(other);
  await expect(result).toHaveAttribute("data-ok", "false", { timeout: 45_000 });
  await expect(result).not.toContainText("signed by the key you pinned");

  // Back to the trusted key: passes again; choosing the same file again runs a new check.
  await key.fill(trusted);
  await expect(result).toContainText("signed by the key you pinned", { timeout: 45_000 });
  const run = Number(await result.getAttribute("data-run"));
  await file.setInputFiles(bundle);
  await expect(result).toHaveAttribute("data-run", String(run + 1), { timeout: 45_000 });
  await expect(result).toHaveAttribute("data-ok", "true");

  // A different file under the same name: its own verdict, not the last one.
  const bad = Buffer.from(bytes);
  const mid = Math.floor(bad.length / 2);
  bad[mid] = bad[mid]! ^ 0xff;
  await file.setInputFiles({ ...bundle, buffer: bad });
  await expect(result).toHaveAttribute("data-ok", "false", { timeout: 45_000 });
});

// Issue 14: /verify knows this deployment's keys (and witnesses) and labels a bundle with them —
// the current key in green, any other key in red with a plain sentence — without treating them
// as a pin: the verdict stays "consistent but unpinned" until the user pastes a key.
test("labels a bundle with this deployment's key, and shows any other key in red", async ({ browser, page }, info) => {
  test.setTimeout(180_000);
  await signInAs(page, info, "auditor", "/bundles");
  const { bytes } = await readyBundle(page, { service: "payments" });
  const stranger = Buffer.from(zipFiles(fixtureBundle().files));
  const shots = path.resolve(import.meta.dirname, "../test-results/screenshots");
  await inEachLook(browser, async (p, { width, scheme }) => {
    await signInAs(p, info, "auditor", "/verify");
    await p.waitForLoadState("networkidle");
    await expect(p.getByTestId("verify-known-keys")).toContainText("log key(s)");
    const file = p.getByTestId("verify-file");
    const result = p.getByTestId("verify-result");
    for (const [name, buffer, status] of [
      ["known", bytes, "current"],
      ["unknown", stranger, "unknown"],
    ] as const) {
      await file.setInputFiles({ name: `${name}.zip`, mimeType: "application/zip", buffer });
      await expect(result).toHaveAttribute("data-verdict", "unpinned", { timeout: 45_000 });
      const origin = p.getByTestId("verify-key-origin");
      await expect(origin).toHaveAttribute("data-key-status", status);
      if (status === "current") await expect(origin).toContainText("this deployment's current key");
      else await expect(origin).toContainText("not a key of this deployment: do not trust this bundle");
      await expectNoHorizontalOverflow(p, `/verify ${name} at ${width} (${scheme})`);
      await p.screenshot({ path: path.join(shots, `verify-${name}-key-${width}-${scheme}.png`), fullPage: true });
    }
  });
});
