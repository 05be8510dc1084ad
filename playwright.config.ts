import { defineConfig } from "@playwright/test";

// Browser journeys against real servers on SQLite and on PostgreSQL. Run via
// `npm run test:e2e` (scripts/e2e.ts), which builds the app, starts a throwaway
// PostgreSQL cluster and both servers, and passes their URLs in the env.
// Debian's chromium is used: Playwright's own browser download is unreachable.

const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: chromiumArgs },
    trace: "off",
  },
  projects: [
    { name: "sqlite", use: { baseURL: process.env.E2E_SQLITE_URL ?? "http://127.0.0.1:3000" } },
    ...(process.env.E2E_POSTGRES_URL ? [{ name: "postgres", use: { baseURL: process.env.E2E_POSTGRES_URL } }] : []),
  ],
});
