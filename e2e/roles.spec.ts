import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { loginsFor, signIn, signInAs, storeEnvFor, type Role } from "./support/auth.ts";
import { queryStore } from "./support/store.ts";

// Sign-in and roles, on the real server: each role sees only what it may, by
// navigation and by typing URLs; a role change or a disabled account applies on
// the user's next request; the proxy is never the only guard.

const PAGES: Array<{ path: string; allowed: Role[]; marker: string }> = [
  { path: "/", allowed: ["admin", "auditor", "analyst"], marker: "tree-size" },
  { path: "/integrity", allowed: ["admin", "auditor"], marker: "integrity-status" },
  { path: "/admin/users", allowed: ["admin"], marker: "users-table" },
  { path: "/admin/keys", allowed: ["admin"], marker: "keys-table" },
  { path: "/admin/tokens", allowed: ["admin"], marker: "tokens-table" },
  { path: "/admin/retention", allowed: ["admin"], marker: "policies-table" },
  { path: "/admin/erasure", allowed: ["admin"], marker: "personal-fields-table" },
  { path: "/siem", allowed: ["admin", "auditor"], marker: "siem-table" },
  { path: "/alerts", allowed: ["admin", "auditor", "analyst"], marker: "rules-table" },
  { path: "/reviews", allowed: ["admin", "auditor"], marker: "reviews" },
  { path: "/archive", allowed: ["admin", "auditor"], marker: "archive-files" },
];
const ROLES: Role[] = ["admin", "auditor", "analyst"];

test("anonymous visitors are sent to sign-in; protected APIs answer 401; public verifier routes stay open", async ({
  page,
  request,
}) => {
  for (const { path } of PAGES) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login\?callbackUrl=/);
  }
  expect((await request.get("/api/v1/me")).status()).toBe(401);
  // A forged middleware-subrequest header must not skip any check.
  const sneaky = await request.get("/admin/users", {
    headers: { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" },
    maxRedirects: 0,
  });
  expect(sneaky.status()).not.toBe(200);
  expect(
    (
      await request.get("/api/v1/me", { headers: { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" } })
    ).status(),
  ).toBe(401);
  expect((await request.get("/api/v1/checkpoint")).status()).toBe(200);
  expect((await request.get("/api/v1/keys")).status()).toBe(200);
});

for (const role of ROLES) {
  test(`${role}: the role × page matrix, by navigation and by URL`, async ({ page }, info) => {
    await signInAs(page, info, role);
    await expect(page.getByTestId("role")).toHaveText(role);
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const p of PAGES) {
      if (p.path !== "/") {
        const link = nav.getByRole("link", {
          name: {
            "/integrity": "Integrity",
            "/admin/users": "Users",
            "/admin/keys": "Ingest keys",
            "/admin/tokens": "Read tokens",
            "/admin/retention": "Retention",
            "/admin/erasure": "Erasure",
            "/siem": "SIEM",
            "/alerts": "Alerts",
            "/reviews": "Reviews",
            "/archive": "Archive",
          }[p.path]!,
        });
        await expect(link).toHaveCount(p.allowed.includes(role) ? 1 : 0);
      }
      await page.goto(p.path);
      if (p.allowed.includes(role)) {
        await expect(page.getByTestId(p.marker)).toBeVisible();
        await expect(page.getByTestId("forbidden")).toHaveCount(0);
      } else {
        await expect(page.getByTestId("forbidden")).toBeVisible();
        await expect(page.getByTestId(p.marker)).toHaveCount(0);
      }
    }
    const me = await page.request.get("/api/v1/me");
    expect(me.status()).toBe(200);
    expect((await me.json()).role).toBe(role);
  });
}

test("wrong passwords and unknown accounts get the same answer; repeated failures are throttled (429)", async ({
  page,
  request,
}, info) => {
  const { analyst } = loginsFor(info);
  const attempt = async (email: string, password: string) => {
    await page.goto("/login");
    await page.waitForLoadState("networkidle");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    return page.getByTestId("signin-error");
  };
  const wrong = await attempt(analyst.email, "not-the-password");
  await expect(wrong).toHaveText(/incorrect/);
  const unknown = await attempt(`nobody-${info.project.name}@example.com`, "whatever-password");
  await expect(unknown).toHaveText(/incorrect/);
  // Five failures for one account: the next attempt is refused before the password is checked.
  const victim = `throttled-${info.project.name}-${Date.now()}@example.com`;
  for (let i = 0; i < 5; i++) await expect(await attempt(victim, `guess-${i}-xxxxxxxx`)).toHaveText(/incorrect/);
  await expect(await attempt(victim, "guess-final-xxxxxx")).toHaveText(/Too many failed attempts/);
  // The raw endpoint says 429 with Retry-After.
  const csrf = (await (await request.get("/api/auth/csrf")).json()).csrfToken;
  const r = await request.post("/api/auth/callback/credentials", {
    form: { email: victim, password: "x", csrfToken: csrf, json: "true" },
  });
  expect(r.status()).toBe(429);
  expect(Number(r.headers()["retry-after"])).toBeGreaterThan(0);
});

test("a role change and a disabled account take effect on the user's next request", async ({ page }, info) => {
  const { analyst } = loginsFor(info);
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, ["bin/ledgerline.mjs", ...args], {
      env: { ...process.env, ...storeEnvFor(info) },
      encoding: "utf8",
    });
  await signIn(page, analyst);
  await expect(page.getByTestId("role")).toHaveText("analyst");
  try {
    cli("users", "set-role", analyst.email, "auditor");
    await page.reload();
    await expect(page.getByTestId("role")).toHaveText("auditor");
    cli("users", "disable", analyst.email);
    await page.reload();
    await expect(page).toHaveURL(/\/login/);
    expect((await page.request.get("/api/v1/me")).status()).toBe(401);
    // And cannot sign in again while disabled.
    await page.goto("/login");
    await page.waitForLoadState("networkidle");
    await page.getByLabel("Email").fill(analyst.email);
    await page.getByLabel("Password").fill(analyst.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByTestId("signin-error")).toBeVisible();
  } finally {
    cli("users", "enable", analyst.email);
    cli("users", "set-role", analyst.email, "analyst");
  }
  await signIn(page, analyst);
  await expect(page.getByTestId("role")).toHaveText("analyst");
});

test("sign-in, failures and sign-out are entries in the ledger (the audit of the auditors)", async ({ page }, info) => {
  const { auditor } = loginsFor(info);
  const before = (await queryStore<{ n: number }>(info, "SELECT MAX(seq) AS n FROM entries"))[0]!.n;
  await page.goto("/login");
  await page.waitForLoadState("networkidle");
  await page.getByLabel("Email").fill(auditor.email);
  await page.getByLabel("Password").fill("definitely-wrong-1");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("signin-error")).toBeVisible();
  await signIn(page, auditor);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect
    .poll(async () =>
      (
        await queryStore<{
          action: string;
          outcome: string;
          requester_id: string;
          requester_type: string;
          source: string;
        }>(
          info,
          // Sign-in and sign-out only: a summary of this user's repeated reads in earlier tests may land meanwhile.
          "SELECT action, outcome, requester_id, requester_type, source FROM entries WHERE seq > ? AND requester_id = ? AND action LIKE 'sign-%' ORDER BY seq",
          [Number(before), auditor.email],
        )
      ).map((e) => `${e.source} ${e.requester_type} ${e.action} ${e.outcome}`),
    )
    .toEqual([
      "ledgerline:dashboard user sign-in failure",
      "ledgerline:dashboard user sign-in success",
      "ledgerline:dashboard user sign-out success",
    ]);
});
