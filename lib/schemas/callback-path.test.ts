import { describe, expect, it } from "vitest";
import { safeCallbackPath, safeRedirectUrl } from "./callback-path.ts";

// Security regression (issue 13, item 2): /login?callbackUrl=/%5C127.0.0.1:4251/pwned
// and /%09/… sent the browser to another origin after a correct sign-in, because
// `startsWith("/") && !startsWith("//")` let `/\host` and `/<TAB>/host` through.

const HOSTILE = [
  "/\\127.0.0.1:4251/pwned",
  "/\t/127.0.0.1:4251/pwned",
  "/\n/evil.example",
  "/\r/evil.example",
  "//evil.example",
  "///evil.example",
  "/\\/evil.example",
  "\\\\evil.example",
  "/./\\evil.example",
  "/.//evil.example",
  "/%5Cevil.example",
  "/%5cevil.example",
  "/%2F/evil.example",
  "/%09/evil.example",
  "/%2e%2e//evil.example",
  "https://evil.example/",
  "http:/evil.example",
  "javascript:alert(1)",
  "evil.example",
  "",
  " /events",
  "/\u0000x",
  "/x\u007f",
  "/%E0%A4%A", // malformed percent-encoding
  "/" + "a".repeat(2100),
];

describe("safeCallbackPath", () => {
  it.each(HOSTILE)("sends %j to /", (raw) => {
    expect(safeCallbackPath(raw)).toBe("/");
  });
  it("refuses anything that is not a string", () => {
    for (const v of [undefined, null, 42, ["/events"], { href: "/" }]) expect(safeCallbackPath(v)).toBe("/");
  });
  it("keeps same-origin paths with their query and fragment (normalized)", () => {
    expect(safeCallbackPath("/events?outcome=denied&q=%5C#top")).toBe("/events?outcome=denied&q=%5C#top");
    expect(safeCallbackPath("/trace/4bf92f3577b34da6a3ce929d0e0e4736")).toBe("/trace/4bf92f3577b34da6a3ce929d0e0e4736");
    expect(safeCallbackPath("/events/../admin/users")).toBe("/admin/users");
    expect(safeCallbackPath("/events?target=db://payments-pg/*")).toBe("/events?target=db://payments-pg/*");
    expect(safeCallbackPath("/")).toBe("/");
  });
  it("never returns something a browser reads as another origin", () => {
    for (const raw of HOSTILE) {
      const out = safeCallbackPath(raw);
      expect(new URL(out, "https://ledgerline.example").origin).toBe("https://ledgerline.example");
    }
  });
});

describe("safeRedirectUrl (next-auth's redirect callback)", () => {
  const base = "https://ledgerline.example";
  it("keeps same-origin paths and absolute same-origin URLs", () => {
    expect(safeRedirectUrl("/events?outcome=denied", base)).toBe(`${base}/events?outcome=denied`);
    expect(safeRedirectUrl(`${base}/integrity`, base)).toBe(`${base}/integrity`);
    expect(safeRedirectUrl("/login", base)).toBe(`${base}/login`);
  });
  it("sends everything else to the origin's /", () => {
    for (const raw of [...HOSTILE, "https://ledgerline.example.evil.example/", "http://ledgerline.example/"])
      expect(safeRedirectUrl(raw, base)).toBe(`${base}/`);
  });
});
