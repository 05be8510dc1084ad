import { describe, expect, it } from "vitest";
import { assertSameOrigin } from "./csrf.ts";

const req = (headers: Record<string, string>) =>
  new Request("http://ledger.example/api/v1/integrity/runs", { method: "POST", headers });

describe("assertSameOrigin", () => {
  it("lets same-origin browser requests and bearer-token scripts through", () => {
    expect(() => assertSameOrigin(req({ host: "ledger.example", origin: "http://ledger.example" }))).not.toThrow();
    expect(() => assertSameOrigin(req({ host: "ledger.example", authorization: "Bearer llr_x" }))).not.toThrow();
  });
  it("refuses cross-site, missing and malformed origins", () => {
    const cases: Array<Record<string, string>> = [
      { host: "ledger.example", origin: "https://evil.example" },
      { host: "ledger.example" },
      { host: "ledger.example", origin: "null" },
    ];
    for (const h of cases) {
      expect(() => assertSameOrigin(req(h))).toThrow(/Cross-site request refused/);
    }
  });
});
