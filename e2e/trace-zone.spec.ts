import { expect, test, type TestInfo } from "@playwright/test";
import { signInAs } from "./support/auth.ts";

// Issue 15 item 9: the trace page's Local/UTC choice is the explorer's — a
// switch on one page shows on the other; the header, clock findings and the
// timeline's tooltips follow it too, and a link's `tz` wins. The trace's
// "Open in the explorer" shows exactly its entries, however old.

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
  // The viewer's zone is known only once the page has hydrated (the server renders UTC).
  await page.waitForLoadState("networkidle");
  await expect(page.getByRole("columnheader", { name: /Time \(Asia\/(Kolkata|Calcutta)\)/ })).toBeVisible({
    timeout: 30_000,
  });
});

test("an old trace: header and tooltips follow Local/UTC (a link's tz wins); 'Open in the explorer' shows all its entries", async ({
  page,
  request,
}, info) => {
  test.skip(info.project.name !== "sqlite", "markup is the same on every store");
  const correlationId = `zone-old-${Date.now()}`;
  // 40 days ago at 10:15:30.250 UTC: outside the explorer's 7-day default; 15:45:30.250 in Kolkata.
  const day = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
  const first = `${day}T10:15:30.250Z`;
  const res = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${keyFor(info)}` },
    data: ["success", "denied", "failure"].map((outcome, i) => ({
      timestamp: new Date(Date.parse(first) + i * 1000).toISOString(),
      eventType: "read",
      requester: { id: `spiffe://e2e-zone/old-${i}` },
      target: { id: "db://zone/old", service: "zone-old" },
      outcome,
      correlationId,
    })),
  });
  expect(res.status(), await res.text()).toBe(201);
  await page.context().clearCookies();
  await signInAs(page, info, "auditor", "/events");

  // The remembered choice is UTC…
  await page.context().addCookies([{ name: "ledgerline-tz", value: "utc", url: page.url() }]);
  await page.goto(`/trace/${correlationId}`);
  const head = page.getByTestId("trace-head");
  await expect(head.getByTestId("trace-time").first()).toHaveText(`${day} 10:15:30.250 UTC`);
  await expect(head).toContainText("1 failure");
  await expect(page.getByTestId("trace-timeline")).toHaveAttribute("data-ready", "1");
  await page.locator(`[data-testid="trace-mark"][data-outcome="denied"] .mark-shape`).hover();
  await expect(page.getByTestId("trace-tooltip")).toContainText(`${day} 10:15:31.250 UTC`);

  // …but a link's tz=local wins: header, tooltip and list in the viewer's zone.
  await page.goto(`/trace/${correlationId}?tz=local`);
  await expect(page.getByTestId("tz-local")).toHaveAttribute("aria-pressed", "true");
  await expect(head.getByTestId("trace-time").first()).toHaveText(`${day} 15:45:30.250 GMT+5:30`);
  await expect(page.getByTestId("trace-time-header")).toHaveText(/^time \(Asia\/(Kolkata|Calcutta)\)$/);
  await expect(page.getByTestId("trace-timeline")).toHaveAttribute("data-ready", "1");
  await page.locator(`[data-testid="trace-mark"][data-outcome="denied"] .mark-shape`).hover();
  await expect(page.getByTestId("trace-tooltip")).toContainText(`${day} 15:45:31.250 GMT+5:30`);
  // A switch on the page beats the link's tz (which leaves the URL).
  await expect(async () => {
    await page.getByTestId("tz-utc").click();
    await expect(page.getByTestId("tz-utc")).toHaveAttribute("aria-pressed", "true", { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page).not.toHaveURL(/tz=/);
  await expect(head.getByTestId("trace-time").first()).toHaveText(`${day} 10:15:30.250 UTC`);

  // Outcomes are named as the explorer names them (item 9).
  const traceOutcomes = await page
    .getByTestId("trace-entry")
    .locator(".outcome-tag")
    .evaluateAll((els) => els.map((e) => (e.textContent ?? "").replace(/^[✕!] /, "").trim()).sort());
  expect(traceOutcomes).toEqual(["denied", "failure", "success"]);

  // The explorer link finds the 40-day-old entries: exactly the trace's three.
  await page.getByTestId("trace-open-explorer").click();
  await expect(page).toHaveURL(/\/events\?/);
  await expect(page).toHaveURL(/range=all/);
  await expect(page.getByTestId("event-row")).toHaveCount(3);
  expect((await page.getByTestId("row-outcome").allInnerTexts()).sort()).toEqual(traceOutcomes);
});

test.use({ timezoneId: "Asia/Kolkata" });
