import crypto from "node:crypto";
import { expect, type APIRequestContext, type Browser, type Page, type TestInfo } from "@playwright/test";

// Fixtures and checks shared by the layout, theme, keyboard, status, verify,
// accessibility and screenshot journeys (issue 15).

const keyFor = (info: TestInfo) =>
  (info.project.name === "postgres" ? process.env.E2E_POSTGRES_KEY : process.env.E2E_SQLITE_KEY) ?? "";

/** The viewports the dashboard must fit: a laptop, a phone, and the laptop at 200 % zoom. */
export const VIEWPORTS = {
  wide: { viewport: { width: 1440, height: 900 } },
  phone: { viewport: { width: 390, height: 844 } },
  // 1440×900 at 200 % zoom lays out exactly like 720×450 CSS pixels at device scale 2.
  zoom200: { viewport: { width: 720, height: 450 }, deviceScaleFactor: 2 },
} as const;

/** The four looks every page is photographed in: 1440 and 390 px wide, light and dark. */
export type Look = { scheme: "light" | "dark"; width: 1440 | 390 };

/** Runs `body` once per look in a fresh browser context of that look (closed after). */
export async function inEachLook(browser: Browser, body: (page: Page, look: Look) => Promise<void>): Promise<void> {
  for (const scheme of ["light", "dark"] as const) {
    for (const [width, opts] of [
      [1440, VIEWPORTS.wide],
      [390, VIEWPORTS.phone],
    ] as const) {
      const context = await browser.newContext({ ...opts, colorScheme: scheme });
      try {
        await body(await context.newPage(), { scheme, width });
      } finally {
        await context.close();
      }
    }
  }
}

export type LongIds = {
  tag: string;
  requester: string;
  target: string;
  correlationId: string;
  seq: number;
};

/**
 * Ingests one denied access whose requester (512 characters, the ingest limit)
 * and target (1 024, the limit) are as long as ingest allows, plus a second hop
 * under the same correlation id with the long requester as its target.
 */
export async function ingestLongIds(request: APIRequestContext, info: TestInfo): Promise<LongIds> {
  const key = keyFor(info);
  expect(key, "the e2e runner captures the demo key the server printed").toMatch(/^llk_/);
  const tag = `${info.project.name}-${crypto.randomBytes(4).toString("hex")}`;
  const tailR = `/sa/orders-api-${tag}`;
  const requester =
    `spiffe://long.e2e.example/ns/${"very-long-namespace-".repeat(30)}`.slice(0, 512 - tailR.length) + tailR;
  const tailT = `/cardholder-${tag}.cards`;
  const target = `db://payments-pg/${"schema_segment_".repeat(80)}`.slice(0, 1024 - tailT.length) + tailT;
  const correlationId = `e2e-long-${tag}`;
  const now = Date.now() - 2_000;
  const res = await request.post("/api/v1/events", {
    headers: { authorization: `Bearer ${key}` },
    data: [
      {
        timestamp: new Date(now).toISOString(),
        eventType: "read",
        requester: { id: requester, type: "workload" },
        target: { id: target, service: "payments" },
        action: `SELECT ${"column_name, ".repeat(19)}`.trim(),
        outcome: "denied",
        correlationId,
        reason: `e2e long identifiers ${"x".repeat(200)}`,
      },
      {
        timestamp: new Date(now + 10).toISOString(),
        eventType: "write",
        requester: { id: `spiffe://long.e2e.example/ns/shop/sa/checkout-${tag}` },
        target: { id: requester, service: "orders" },
        outcome: "success",
        correlationId,
      },
    ],
  });
  expect(res.status(), await res.text()).toBe(201);
  const { accepted } = (await res.json()) as { accepted: Array<{ seq: number }> };
  expect(requester).toHaveLength(512);
  expect(target).toHaveLength(1024);
  return { tag, requester, target, correlationId, seq: accepted[0]!.seq };
}

/** Starts a bundle for `filter` (the page's session must allow bundles:create) and waits until it is ready. */
export async function readyBundle(page: Page, filter: Record<string, unknown>): Promise<{ id: string; bytes: Buffer }> {
  const origin = new URL(page.url()).origin;
  const created = await page.request.post("/api/v1/bundles", { data: { filter }, headers: { origin } });
  expect(created.status(), await created.text()).toBe(202);
  const { id } = (await created.json()) as { id: string };
  let b: { status: string; downloadUrl?: string; error?: string } = { status: "queued" };
  await expect
    .poll(
      async () => {
        b = await (await page.request.get(`/api/v1/bundles/${id}`)).json();
        return b.status;
      },
      { timeout: 45_000 },
    )
    .toMatch(/^(ready|failed)$/);
  expect(b.status, b.error).toBe("ready");
  const zip = await page.request.get(b.downloadUrl!);
  expect(zip.status()).toBe(200);
  return { id, bytes: await zip.body() };
}

/** The page scrolls sideways (the document is wider than the window): what overflows, or null. */
export async function horizontalOverflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const doc = document.documentElement;
    if (doc.scrollWidth <= doc.clientWidth) return null;
    // Name the widest culprits that no scrolling box contains, for the failure message.
    const vw = doc.clientWidth;
    const culprits: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>("*"))) {
      const r = el.getBoundingClientRect();
      if (r.right <= vw + 1 || r.width === 0) continue;
      let contained = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== "visible" && p.getBoundingClientRect().right <= vw + 1) {
          contained = true;
          break;
        }
      }
      if (!contained)
        culprits.push(
          `<${el.tagName.toLowerCase()} class="${el.getAttribute("class") ?? ""}"> ${Math.round(r.right)}px`,
        );
      if (culprits.length >= 5) break;
    }
    return `document is ${doc.scrollWidth}px wide in a ${vw}px window: ${culprits.join(", ")}`;
  });
}

/**
 * Text that runs out of its own box into its neighbour's: a table header or term
 * whose content is wider than the cell and not clipped (a fixed-layout table on a
 * phone). The document does not grow, so horizontalOverflow cannot see it.
 */
export async function textSpill(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const spilled: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>("th, dt"))) {
      if (el.clientWidth === 0 || getComputedStyle(el).overflowX !== "visible") continue;
      if (el.scrollWidth > el.clientWidth + 1)
        spilled.push(
          `<${el.tagName.toLowerCase()}> "${el.textContent?.trim().slice(0, 40)}" ${el.scrollWidth}px in ${el.clientWidth}px`,
        );
      if (spilled.length >= 5) break;
    }
    return spilled.length ? spilled.join(", ") : null;
  });
}

export async function expectNoHorizontalOverflow(page: Page, what: string): Promise<void> {
  expect(await horizontalOverflow(page), `${what} scrolls sideways`).toBeNull();
  expect(await textSpill(page), `${what}: text runs over its neighbour`).toBeNull();
}

/** Every dashboard page, by a short name (screenshot file names), with ids from the fixtures. */
export function dashboardPages(fx: { long: LongIds; bundleId: string }): Array<{ name: string; path: string }> {
  return [
    { name: "overview", path: "/" },
    { name: "events", path: `/events?range=all&correlationId=${encodeURIComponent(fx.long.correlationId)}` },
    // Filters in effect as chips, the meta-audit included, a 1 024-character requester in a chip.
    {
      name: "events-filtered",
      path: `/events?range=all&own=include&outcome=denied,failure,success&requester=${encodeURIComponent(fx.long.requester)}`,
    },
    { name: "event-detail", path: `/events/${fx.long.seq}` },
    { name: "trace-search", path: "/trace" },
    { name: "trace", path: `/trace/${encodeURIComponent(fx.long.correlationId)}` },
    { name: "integrity", path: "/integrity" },
    { name: "bundles", path: "/bundles" },
    { name: "bundle-detail", path: `/bundles/${fx.bundleId}` },
    { name: "verify", path: "/verify" },
    { name: "admin-users", path: "/admin/users" },
    { name: "admin-keys", path: "/admin/keys" },
    { name: "admin-tokens", path: "/admin/tokens" },
    { name: "admin-retention", path: "/admin/retention" },
    { name: "admin-erasure", path: "/admin/erasure" },
    { name: "siem", path: "/siem" },
    { name: "alerts", path: "/alerts" },
    { name: "reviews", path: "/reviews" },
    { name: "archive", path: "/archive" },
  ];
}

/** An ingest key whose source identity is as long as allowed (512), created through the admin page. */
export async function createLongSourceKey(page: Page, tag: string): Promise<string> {
  const head = "spiffe://long.e2e.example/ns/";
  const tail = `/sa/key-${tag}`;
  const source = head + "k".repeat(512 - head.length - tail.length) + tail;
  await page.goto("/admin/keys");
  await page.waitForLoadState("networkidle");
  const form = page.getByTestId("create-key-form");
  await form.getByLabel("Source identity").fill(source);
  await form.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByTestId("shown-secret")).toBeVisible();
  return source;
}

/**
 * Layout, theme and keyboard do not depend on the store behind the server: these
 * journeys run against the SQLite server only (the PostgreSQL one serves the
 * same markup), which halves their share of the e2e tier.
 */
export const STORE_INDEPENDENT = "markup, styles and scripts are the same on every store";
