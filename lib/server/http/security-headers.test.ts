import { describe, expect, it } from "vitest";
import type { NextConfig } from "next";
// @ts-expect-error -- next.config.js is plain JavaScript (allowJs is off); typed below.
import nextConfigJs from "../../../next.config.js";
import { API_CSP, hstsHeader, newNonce, pageCsp, STATIC_SECURITY_HEADERS } from "./security-headers.ts";

const nextConfig = nextConfigJs as NextConfig;

// Security regression (issue 13, item 10): no Content-Security-Policy, framing,
// referrer or nosniff headers at all, and no HSTS on an https deployment.

describe("page CSP", () => {
  it("allows scripts only with this response's nonce, never eval outside next dev", () => {
    const csp = pageCsp("abc123");
    expect(csp).toContain("script-src 'self' 'nonce-abc123' 'strict-dynamic'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("base-uri 'self'");
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(pageCsp("n", { dev: true })).toContain("'unsafe-eval'");
    expect(pageCsp("n", { https: true })).toContain("upgrade-insecure-requests");
  });
  it("makes a fresh 128-bit nonce per call", () => {
    const a = newNonce();
    expect(Buffer.from(a, "base64")).toHaveLength(16);
    expect(newNonce()).not.toBe(a);
  });
  it("pins https only when the public URL is https", () => {
    expect(hstsHeader("https://ledgerline.example")).toBe("max-age=31536000");
    expect(hstsHeader("http://localhost:3000")).toBeNull();
    expect(hstsHeader(undefined)).toBeNull();
  });
});

describe("next.config.js headers", () => {
  it("set the same static headers on every path and the API's CSP on /api", async () => {
    const rules = await nextConfig.headers!();
    const all = rules.find((r) => r.source === "/:path*")!;
    expect(Object.fromEntries(all.headers.map((h) => [h.key, h.value]))).toEqual(STATIC_SECURITY_HEADERS);
    const api = rules.find((r) => r.source === "/api/:path*")!;
    expect(api.headers).toEqual([{ key: "Content-Security-Policy", value: API_CSP }]);
  });
});
