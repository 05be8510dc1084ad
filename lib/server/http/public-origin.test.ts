import { describe, expect, it } from "vitest";
import { publicOrigin } from "./public-origin.ts";

const h = (init: Record<string, string>) => new Headers(init);

describe("publicOrigin", () => {
  it("prefers NEXTAUTH_URL, as its origin", () => {
    expect(publicOrigin(h({ host: "10.0.0.5:3000" }), "https://audit.example.com/base/")).toBe(
      "https://audit.example.com",
    );
  });
  it("uses the request's host and port", () => {
    expect(publicOrigin(h({ host: "127.0.0.1:41234" }), undefined)).toBe("http://127.0.0.1:41234");
    expect(publicOrigin(h({ host: "[::1]:8080" }), undefined)).toBe("http://[::1]:8080");
  });
  it("follows a proxy's forwarded host and scheme (first hop)", () => {
    expect(
      publicOrigin(
        h({
          host: "internal:3000",
          "x-forwarded-host": "logs.example.com, internal",
          "x-forwarded-proto": "https,http",
        }),
        undefined,
      ),
    ).toBe("https://logs.example.com");
  });
  it("ignores values that are not a host or a scheme", () => {
    expect(
      publicOrigin(
        h({ host: "ok.example:80", "x-forwarded-host": "evil.com/<script>", "x-forwarded-proto": "javascript" }),
        undefined,
      ),
    ).toBe("http://ok.example:80");
    expect(publicOrigin(h({}), undefined)).toBe("http://localhost:3000");
    expect(publicOrigin(h({ host: "a.example" }), "not a url")).toBe("http://a.example");
  });
});
