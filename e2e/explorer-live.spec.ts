import { expect, test, type APIRequestContext, type TestInfo } from "@playwright/test";
import { signInAs } from "./support/auth.ts";

// Issue 15 items 8 and 6 in the browser: with Live on, an entry ingested now
// appears on top without a reload; when the user has scrolled down the rows
// wait behind "N new — show" and the scroll position does not move; a filter
// change stops the tail. Facet counts label the outcome chips.

const keyFor = (info: TestInfo) =>
  (info.project.name === "postgres" ? process.env.E2E_POSTGRES_KEY : process.env.E2E_SQLITE_KEY) ?? "";

async function ingest(request: APIRequestContext, info: TestInfo, requester: string, outcomes: string[]) {
  const res = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${keyFor(info)}` },
    data: outcomes.map((outcome, i) => ({
      timestamp: new Date(Date.now() - 30_000).toISOString(),
      eventType: "read",
      requester: { id: requester },
      target: { id: `db://live/${i}`, service: "live" },
      outcome,
      ...(outcome === "denied" ? { reason: "no grant" } : {}),
    })),
  });
  expect(res.status(), await res.text()).toBe(201);
}

test("live tail: a new entry appears on top; scrolled down it waits behind 'N new — show'", async ({
  page,
  request,
}, info) => {
  test.setTimeout(120_000); // waits for polls (every 5 s) on a shared machine
  const requester = `spiffe://e2e-live/${info.project.name}-${Date.now()}/sa/a`;
  await ingest(request, info, `${requester}-other`, ["success"]);
  // Enough rows that the page can scroll past the table's top on a short window.
  await ingest(request, info, requester, ["denied", ...Array<string>(29).fill("success")]);
  await signInAs(page, info, "auditor", "/events");
  const q = `range=1h&requester=${encodeURIComponent(`${requester}*`)}`;
  await page.goto(`/events?${q}`);
  await page.waitForLoadState("networkidle");
  const rows = page.getByTestId("event-row");
  await expect(rows).toHaveCount(31);
  // Facets: the outcome chips count the filter without the outcome constraint.
  await expect(page.getByTestId("facet-outcome-denied")).toHaveText("1");
  await expect(page.getByTestId("facet-outcome-success")).toHaveText("30");

  await page.getByTestId("live-toggle").click();
  await expect(page.getByTestId("live-toggle")).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("live-status")).toContainText("new matching entries appear on top");
  await ingest(request, info, `${requester}/new-1`, ["denied"]);
  await expect(rows).toHaveCount(32, { timeout: 20_000 });
  await expect(rows.first()).toContainText("new-1");

  // Scrolled past the table's top: the row waits, the page does not move.
  await page.setViewportSize({ width: 1440, height: 500 });
  await page.evaluate(() => {
    const t = document.querySelector("[data-testid=events-table]")!;
    window.scrollTo(0, t.getBoundingClientRect().top + window.scrollY + 120);
  });
  const before = await page.evaluate(() => window.scrollY);
  await ingest(request, info, `${requester}/new-2`, ["success"]);
  await expect(page.getByTestId("live-pending")).toHaveText("1 new — show", { timeout: 20_000 });
  expect(before).toBeGreaterThan(0);
  expect(await page.evaluate(() => window.scrollY)).toBe(before);
  await expect(rows).toHaveCount(32);
  await page.getByTestId("live-pending").click();
  await expect(rows).toHaveCount(33);
  await expect(rows.first()).toContainText("new-2");

  // A filter change stops the tail.
  await page.getByTestId("chip-outcome-denied").click();
  await expect(page).toHaveURL(/outcome=denied/);
  await expect(page.getByTestId("live-toggle")).toHaveAttribute("aria-pressed", "false");
});
