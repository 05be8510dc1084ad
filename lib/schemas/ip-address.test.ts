import { describe, expect, it } from "vitest";
import { isIpv4, isIpv6, normalizeIp } from "./ip-address.ts";

describe("IP literals", () => {
  it("accepts IPv4 dotted decimal", () => {
    for (const s of ["0.0.0.0", "127.0.0.1", "255.255.255.255", "10.20.30.40", "1.2.3.4"])
      expect(isIpv4(s), s).toBe(true);
  });

  it("rejects malformed IPv4, leading zeros included", () => {
    for (const s of [
      "256.0.0.1",
      "1.2.3",
      "1.2.3.4.5",
      "01.2.3.4",
      "1.2.3.04",
      "1.2.3.4 ",
      " 1.2.3.4",
      "1..3.4",
      "0x1.2.3.4",
      "1.2.3.4/24",
      "١.2.3.4",
    ]) {
      expect(isIpv4(s), s).toBe(false);
    }
  });

  it("accepts RFC 4291 IPv6 text forms", () => {
    for (const s of [
      "::",
      "::1",
      "1::",
      "2001:db8::ff00:42:8329",
      "2001:0db8:0000:0000:0000:ff00:0042:8329",
      "fe80::1:2:3:4:5:6",
      "1:2:3:4:5:6:7::",
      "::2:3:4:5:6:7:8",
      "1:2:3:4:5:6:7:8",
      "::ffff:192.0.2.128",
      "64:ff9b::192.0.2.33",
      "1:2:3:4:5:6:1.2.3.4",
      "ABCD:EF01::",
    ]) {
      expect(isIpv6(s), s).toBe(true);
    }
  });

  it("rejects malformed IPv6", () => {
    for (const s of [
      "",
      ":",
      ":::",
      "1::2::3",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "1::2:3:4:5:6:7:8",
      "12345::",
      "g::1",
      ":1::",
      "1:2:3:4:5:6:7:8::",
      "1.2.3.4::",
      "::1.2.3.4:1",
      "::256.0.0.1",
      "1:2:3:4:5:6:7:1.2.3.4",
      "fe80::1%eth0",
      "[::1]",
      "::1 ",
    ]) {
      expect(isIpv6(s), s).toBe(false);
    }
  });

  it("normalizes IPv6 to lowercase and leaves IPv4 as sent", () => {
    expect(normalizeIp("2001:DB8::FF00:42:8329")).toBe("2001:db8::ff00:42:8329");
    expect(normalizeIp("::FFFF:192.0.2.128")).toBe("::ffff:192.0.2.128");
    expect(normalizeIp("192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeIp("example.org")).toBeNull();
  });
});
