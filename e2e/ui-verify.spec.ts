import { expect, test } from "@playwright/test";
import { signInAs } from "./support/auth.ts";
import { readyBundle } from "./support/ui.ts";

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
