import { expect, test, type TestInfo } from "@playwright/test";
import { signInAs } from "./support/auth.ts";

// Issue 15 item 9: the trace page's Local/UTC choice is the explorer's — a
// switch on one page shows on the other.

const keyFor = (info: TestInfo) =>
  (info.project.name === "postgres" ? process.env.E2E_POSTGRES_KEY : process.env.E2E_SQLITE_KEY) ?? "";

test("a Local/UTC switch on the explorer shows on the trace page, and back", async ({ page, request }, info) => {
  test.skip(info.project.name !== "sqlite", "markup is the same on every store");
  const correlationId = `zone-${Date.now()}`;
  const res = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${keyFor(info)}` },
    data: [
      {
        timestamp: new Date(Date.now() - 60_000).toISOString(),
        eventType: "read",
        requester: { id: "spiffe://e2e-zone/a" },
        target: { id: "db://zone", service: "zone" },
        outcome: "success",
        correlationId,
      },
    ],
  });
  expect(res.status(), await res.text()).toBe(201);
  // A zone that is not UTC, so Local and UTC differ on screen.
  await page.context().clearCookies();
  await signInAs(page, info, "auditor", "/events");

  await page.goto("/events?range=1h");
  await page.waitForLoadState("networkidle");
  // A click before hydration does nothing: retry until the switch took.
  await expect(async () => {
    await page.getByTestId("tz-utc").click();
    await expect(page.getByTestId("tz-utc")).toHaveAttribute("aria-pressed", "true", { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await page.goto(`/trace/${correlationId}`);
  await expect(page.getByTestId("tz-utc")).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("trace-time-header")).toHaveText("time (UTC)");

  await expect(async () => {
    await page.getByTestId("tz-local").click();
    await expect(page.getByTestId("tz-local")).toHaveAttribute("aria-pressed", "true", { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId("trace-time-header")).toHaveText(/^time \(Asia\/(Kolkata|Calcutta)\)$/);
  await page.goto("/events?range=1h");
  await expect(page.getByTestId("tz-local")).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("columnheader", { name: /Time \(Asia\/(Kolkata|Calcutta)\)/ })).toBeVisible();
});

test.use({ timezoneId: "Asia/Kolkata" });
