import { expect, type Page, type TestInfo } from "@playwright/test";

// Demo logins, as printed by each server at first start and passed on by scripts/e2e.ts.
export type Role = "admin" | "auditor" | "analyst";
export type Login = { email: string; password: string };

export function loginsFor(info: TestInfo): Record<Role, Login> {
  const raw = info.project.name === "postgres" ? process.env.E2E_POSTGRES_LOGINS : process.env.E2E_SQLITE_LOGINS;
  if (!raw) throw new Error("E2E_*_LOGINS missing: run the e2e tier with `npm run test:e2e`");
  return JSON.parse(raw) as Record<Role, Login>;
}

/** The project's store, for the real CLI (`ledgerline users …`) while the server runs. */
export function storeEnvFor(info: TestInfo): Record<string, string> {
  return info.project.name === "postgres"
    ? { DATABASE_URL: process.env.E2E_POSTGRES_DATABASE_URL!, LEDGERLINE_DATA_DIR: process.env.E2E_POSTGRES_DATA_DIR! }
    : { LEDGERLINE_DATA_DIR: process.env.E2E_SQLITE_DATA_DIR! };
}

/** Signs in through the real form, after hydration, and waits for the dashboard. */
export async function signIn(page: Page, login: Login, path = "/"): Promise<void> {
  await page.goto(`/login?callbackUrl=${encodeURIComponent(path)}`);
  await page.waitForLoadState("networkidle");
  await page.getByLabel("Email").fill(login.email);
  await page.getByLabel("Password").fill(login.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("who")).toContainText(login.email);
}

export async function signInAs(page: Page, info: TestInfo, role: Role, path = "/"): Promise<Login> {
  const login = loginsFor(info)[role];
  await signIn(page, login, path);
  return login;
}
