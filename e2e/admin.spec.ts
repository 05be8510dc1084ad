import { expect, test } from "@playwright/test";
import { signIn, signInAs } from "./support/auth.ts";

// An admin's day: invite an external auditor who then signs in with the
// one-time password; issue an ingest key to a service, see it work, revoke it.

test("an admin invites an auditor, who signs in with the one-time password", async ({ page, browser }, info) => {
  await signInAs(page, info, "admin", "/admin/users");
  await page.waitForLoadState("networkidle");
  const email = `ext-auditor-${info.project.name}-${Date.now()}@assessor.example`;
  const form = page.getByTestId("create-user-form");
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption("auditor");
  await form.getByRole("button", { name: "Create user" }).click();
  const password = (await page.getByTestId("shown-secret").innerText()).trim();
  expect(password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
  await expect(page.getByTestId(`row-${email}`)).toContainText("auditor");

  const other = await browser.newContext();
  const p2 = await other.newPage();
  await signIn(p2, { email, password });
  await expect(p2.getByTestId("role")).toHaveText("auditor");
  await other.close();
});

test("an admin creates an ingest key (shown once), the service uses it, the admin revokes it", async ({
  page,
  request,
}, info) => {
  await signInAs(page, info, "admin", "/admin/keys");
  await page.waitForLoadState("networkidle");
  const source = `spiffe://e2e.example/ns/billing/sa/invoicer-${info.project.name}`;
  const form = page.getByTestId("create-key-form");
  await form.getByLabel("Source identity").fill(source);
  await form.getByLabel("Description (optional)").fill("e2e");
  await form.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("shown-secret").innerText()).trim();
  expect(key).toMatch(/^llk_[a-z0-9]{12}_/);
  const id = key.split("_")[1]!;
  const row = page.getByTestId(`row-${id}`);
  await expect(row).toContainText(source);
  // The table never shows the secret.
  await expect(page.getByTestId("keys-table")).not.toContainText(key.slice(-20));

  const event = {
    timestamp: new Date().toISOString(),
    eventType: "write",
    requester: { id: "spiffe://e2e.example/ns/billing/sa/invoicer" },
    target: { id: "queue://billing/invoices" },
    outcome: "success",
  };
  const ok = await request.post("/api/v1/events", { headers: { authorization: `Bearer ${key}` }, data: event });
  expect(ok.status()).toBe(201);

  await row.getByRole("button", { name: "Revoke" }).click();
  await row.getByTestId("confirm").click();
  await expect(row.getByTestId("status")).toHaveText(/revoked/);
  const refused = await request.post("/api/v1/events", { headers: { authorization: `Bearer ${key}` }, data: event });
  expect(refused.status()).toBe(401);
});
