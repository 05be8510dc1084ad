import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signInAs, type Role } from "./support/auth.ts";

// Issue 15, items 15 and 16: a page a role may not open answers HTTP 403 and
// names the roles that may; an unknown id or address answers a styled 404; every
// route segment has its own error view; the overview's examples name this server.

const GUARDED: Array<{ path: string; allowed: Role[] }> = [
  { path: "/integrity", allowed: ["admin", "auditor"] },
  { path: "/bundles", allowed: ["admin", "auditor"] },
  { path: "/admin/users", allowed: ["admin"] },
  { path: "/admin/keys", allowed: ["admin"] },
  { path: "/admin/tokens", allowed: ["admin"] },
];

for (const role of ["analyst", "auditor"] as const) {
  test(`${role}: forbidden pages answer 403 and say which roles may open them`, async ({ page }, info) => {
    await signInAs(page, info, role);
    for (const g of GUARDED) {
      const res = await page.goto(g.path);
      if (g.allowed.includes(role)) {
        expect(res?.status(), g.path).toBe(200);
        await expect(page.getByTestId("forbidden")).toHaveCount(0);
        continue;
      }
      expect(res?.status(), g.path).toBe(403);
      const box = page.getByTestId("forbidden");
      await expect(box).toBeVisible();
      await expect(box).toContainText(`Your role, ${role}, does not allow`);
      for (const r of g.allowed) await expect(page.getByTestId("forbidden-roles")).toContainText(r);
      // The header still works from here.
      await expect(page.getByTestId("who")).toContainText(role);
    }
  });
}

test("a bundle page is 403 for an analyst whatever the id, so ids cannot be probed", async ({ page }, info) => {
  await signInAs(page, info, "analyst");
  const res = await page.goto(`/bundles/${crypto.randomUUID()}`);
  expect(res?.status()).toBe(403);
  await expect(page.getByTestId("forbidden")).toBeVisible();
});

test("unknown ids and addresses answer a styled 404", async ({ page }, info) => {
  await signInAs(page, info, "auditor");
  for (const [url, testId] of [
    ["/events/999999999999", "event-not-found"],
    ["/events/0", "event-not-found"],
    ["/events/abc", "event-not-found"],
    [`/bundles/${crypto.randomUUID()}`, "bundle-not-found"],
    ["/trace/a%01b", "trace-invalid"],
    [`/trace/${"x".repeat(129)}`, "trace-invalid"],
    ["/no-such-page", "not-found"],
  ] as const) {
    const res = await page.goto(url);
    expect(res?.status(), url).toBe(404);
    await expect(page.getByTestId(testId), url).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 }), url).toBeVisible();
  }
  // The 404 of an entry says what exists instead.
  await page.goto("/events/999999999999");
  await expect(page.getByTestId("event-not-found")).toContainText(/numbered 1 to [\d,]+/);
  // A well-formed id nothing carries yet is an answer, not an error (as in the API): 200.
  const res = await page.goto(`/trace/never-sent-${crypto.randomBytes(6).toString("hex")}`);
  expect(res?.status()).toBe(200);
  await expect(page.getByTestId("trace-empty")).toBeVisible();
});

test("every route segment of the dashboard has its own error view", () => {
  const app = path.resolve(import.meta.dirname, "../app");
  const missing: string[] = [];
  const walk = (dir: string) => {
    const names = fs.readdirSync(dir);
    if (names.includes("page.tsx") || names.includes("layout.tsx"))
      if (!names.includes("error.tsx") && !/\([a-z-]+\)$/.test(path.basename(dir)) && !dir.endsWith("/app"))
        missing.push(path.relative(app, dir));
    for (const n of names) if (fs.statSync(path.join(dir, n)).isDirectory() && n !== "api") walk(path.join(dir, n));
  };
  walk(app);
  expect(missing).toEqual([]);
  for (const f of ["error.tsx", "global-error.tsx", "not-found.tsx", "(dashboard)/error.tsx", "(auth)/login/error.tsx"])
    expect(fs.existsSync(path.join(app, f)), f).toBe(true);
});

test("the overview's example command names this server, not localhost:3000", async ({ page }, info) => {
  await signInAs(page, info, "analyst");
  const origin = new URL(page.url()).origin;
  await expect(page.getByTestId("send-example")).toContainText(`curl -sS -X POST ${origin}/api/v1/events`);
  await expect(page.getByTestId("send-example")).not.toContainText("localhost:3000");
});
