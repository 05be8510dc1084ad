import { expect, test, type Page } from "@playwright/test";

// Single sign-on for real: the servers are configured (by scripts/e2e.ts)
// against a local OpenID provider (oidc-provider, test/support/oidc-provider.ts)
// whose development interactions are a login form (account id + any password)
// and a consent screen. The role comes from the `groups` claim through
// LEDGERLINE_OIDC_ROLE_MAP=ledgerline-auditors=auditor,ledgerline-admins=admin.

const issuer = process.env.E2E_OIDC_ISSUER ?? "";

async function signInThroughProvider(page: Page, accountId: string) {
  await page.goto("/login");
  const sso = page.getByRole("button", { name: "Sign in with Test SSO" });
  await expect(sso).toBeEnabled();
  await page.waitForLoadState("networkidle"); // hydrated: the click runs signIn("oidc")
  await sso.click();

  // The provider's login form.
  await page.waitForURL((u) => u.origin === issuer && u.pathname.startsWith("/interaction/"));
  await page.locator('input[name="login"]').fill(accountId);
  await page.locator('input[name="password"]').fill("any password works here");
  await page.getByRole("button", { name: "Sign-in" }).click();

  // Its consent screen (email, profile and groups for the Ledgerline client).
  await expect(page.getByRole("button", { name: "Continue" })).toBeVisible();
  await page.getByRole("button", { name: "Continue" }).click();
}

test.beforeEach(() => {
  expect(issuer, "scripts/e2e.ts starts the OpenID provider and passes E2E_OIDC_ISSUER").toMatch(
    /^http:\/\/127\.0\.0\.1:\d+$/,
  );
});

test("single sign-on through the OpenID provider lands on the dashboard with the role mapped from the groups claim", async ({
  page,
}) => {
  await signInThroughProvider(page, "sso-auditor");
  await page.waitForURL((u) => u.origin !== issuer && u.pathname === "/");
  await expect(page.getByTestId("role")).toHaveText("auditor");
  await expect(page.getByTestId("who")).toContainText("sso-auditor@idp.e2e.test");

  // The session is real: a reload keeps it, and the session endpoint agrees.
  await page.reload();
  await expect(page.getByTestId("role")).toHaveText("auditor");
  const session = await (await page.request.get("/api/auth/session")).json();
  expect(session.user).toMatchObject({ email: "sso-auditor@idp.e2e.test", role: "auditor" });
});

test("a single sign-on identity whose groups map to no role is refused on the login page", async ({ page }) => {
  await signInThroughProvider(page, "sso-nobody");
  await page.waitForURL((u) => u.origin !== issuer && u.pathname === "/login");
  expect(new URL(page.url()).searchParams.get("error")).toBe("NoRole");
  await expect(page.locator("form[aria-label='Sign in'] [role=alert]")).toHaveText(
    "Your single sign-on account is not mapped to a Ledgerline role. Ask an admin.",
  );

  // Not signed in: no session, and the dashboard sends us back to sign in.
  const session = await (await page.request.get("/api/auth/session")).json();
  expect(session.user).toBeUndefined();
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});
