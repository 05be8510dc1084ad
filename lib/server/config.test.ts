import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

// Security regression (issue 13 item 9, unsafe defaults): with LEDGERLINE_ENV=production
// the demo was seeded like anywhere else — users with known-format passwords and an
// ingest key, all printed to the server log. Production now never seeds it, and asking
// for it there is a start-up error that says what to do.

describe("production defaults", () => {
  it("production starts without demo data, by default", () => {
    expect(loadConfig({ LEDGERLINE_ENV: "production" }).demo).toBe(false);
    expect(loadConfig({ LEDGERLINE_ENV: "production", LEDGERLINE_DEMO: "off" }).demo).toBe(false);
  });

  it("LEDGERLINE_DEMO=on in production is a start-up error naming the fix", () => {
    let e: unknown;
    try {
      loadConfig({ LEDGERLINE_ENV: "production", LEDGERLINE_DEMO: "on" });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toContain("LEDGERLINE_DEMO=on");
    expect((e as Error).message).toContain("Unset LEDGERLINE_DEMO");
  });

  it("outside production the demo stays on by default (the two-command start)", () => {
    expect(loadConfig({}).demo).toBe(true);
    expect(loadConfig({ LEDGERLINE_DEMO: "off" }).demo).toBe(false);
  });
});
