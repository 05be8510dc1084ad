import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseTrustProxy } from "../config.ts";
import { clientIp, clientIpFrom, installPeerAddressStamp, normalizeAddress, peerAddress } from "./client-ip.ts";

// Security regression (issue 13, item 3): X-Forwarded-For was trusted by default,
// so a client chose the IP the per-IP sign-in throttle counted and the IP written
// into the tamper-evident meta-audit. Now the TCP peer is the client unless
// LEDGERLINE_TRUST_PROXY says which forwarding hops are ours.

describe("LEDGERLINE_TRUST_PROXY", () => {
  it("is off by default and with 0/false/off", () => {
    for (const v of [undefined, "", "0", "false", "off", "none"]) expect(parseTrustProxy(v)).toEqual({ kind: "none" });
    expect(loadConfig({}).trustProxy).toEqual({ kind: "none" });
  });
  it("takes a hop count or a list of addresses and CIDRs", () => {
    expect(parseTrustProxy("2")).toEqual({ kind: "hops", hops: 2 });
    expect(parseTrustProxy("10.0.0.0/8, ::1, 192.0.2.7, fd00::/8")).toEqual({
      kind: "networks",
      networks: [
        { address: "10.0.0.0", prefix: 8, family: "ipv4" },
        { address: "::1", prefix: 128, family: "ipv6" },
        { address: "192.0.2.7", prefix: 32, family: "ipv4" },
        { address: "fd00::", prefix: 8, family: "ipv6" },
      ],
    });
  });
  it("refuses anything else, naming the variable", () => {
    for (const v of ["yes", "11", "10.0.0.0/33", "::1/129", "10.0.0.0/8,,", "proxy.internal", "1.2.3.4/-1"]) {
      expect(() => parseTrustProxy(v), v).toThrow(ConfigError);
      expect(() => loadConfig({ LEDGERLINE_TRUST_PROXY: v }), v).toThrow(/LEDGERLINE_TRUST_PROXY/);
    }
  });
});

describe("clientIpFrom", () => {
  const none = parseTrustProxy(undefined);
  it("without a trusted proxy, is the TCP peer whatever X-Forwarded-For says", () => {
    expect(clientIpFrom("127.0.0.1", "203.0.113.66", none)).toBe("127.0.0.1");
    expect(clientIpFrom("10.1.2.3", undefined, none)).toBe("10.1.2.3");
    expect(clientIpFrom(undefined, "203.0.113.66", none)).toBeUndefined();
  });
  it("with a hop count, is that many entries left of the peer (the proxy's own append)", () => {
    const one = parseTrustProxy("1");
    expect(clientIpFrom("10.0.0.2", "198.51.100.1, 203.0.113.7", one)).toBe("203.0.113.7");
    expect(clientIpFrom("10.0.0.2", "203.0.113.7", parseTrustProxy("2"))).toBe("203.0.113.7");
    expect(clientIpFrom("10.0.0.2", undefined, one)).toBe("10.0.0.2");
    // Whatever the client wrote before the proxy's entry does not matter.
    expect(clientIpFrom("10.0.0.2", "1.1.1.1, 2.2.2.2, 203.0.113.7", one)).toBe("203.0.113.7");
  });
  it("with trusted networks, is the rightmost address outside them", () => {
    const nets = parseTrustProxy("127.0.0.1, 10.0.0.0/8");
    expect(clientIpFrom("127.0.0.1", "192.0.2.1, 203.0.113.7", nets)).toBe("203.0.113.7");
    expect(clientIpFrom("127.0.0.1", "192.0.2.1, 203.0.113.7, 10.4.4.4", nets)).toBe("203.0.113.7");
    // A client that bypasses the proxy is its own peer, and its header is ignored.
    expect(clientIpFrom("198.51.100.9", "10.9.9.9", nets)).toBe("198.51.100.9");
    // Only trusted hops: the leftmost is the best we know.
    expect(clientIpFrom("127.0.0.1", "10.0.0.5", nets)).toBe("10.0.0.5");
  });
  it("ignores what is left of an unparseable entry, and reads ports, brackets and mapped IPv4", () => {
    const nets = parseTrustProxy("127.0.0.1");
    expect(clientIpFrom("127.0.0.1", "203.0.113.7, unknown", nets)).toBe("127.0.0.1");
    expect(clientIpFrom("127.0.0.1", "203.0.113.7:4711", nets)).toBe("203.0.113.7");
    expect(clientIpFrom("127.0.0.1", "[2001:DB8::1]:443", nets)).toBe("2001:db8::1");
    expect(normalizeAddress("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(normalizeAddress("fe80::1%eth0")).toBeNull();
  });
});

describe("the peer stamp", () => {
  it("carries the socket's address past Next.js, and a forged stamp is ignored", async () => {
    installPeerAddressStamp();
    const seen: Array<string | undefined> = [];
    const server = http.createServer((req, res) => {
      seen.push(peerAddress(req.headers as Record<string, string>));
      seen.push(clientIp(req.headers as Record<string, string>, parseTrustProxy(undefined)));
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      await (
        await fetch(`http://127.0.0.1:${port}/`, {
          headers: { "x-ledgerline-peer": "forged 203.0.113.66", "x-forwarded-for": "203.0.113.67" },
        })
      ).text();
    } finally {
      server.close();
    }
    expect(seen).toEqual(["127.0.0.1", "127.0.0.1"]);
    // A header without this process's nonce names no peer.
    expect(peerAddress({ "x-ledgerline-peer": "forged 203.0.113.66" })).toBeUndefined();
    expect(peerAddress(new Headers())).toBeUndefined();
  });
});
