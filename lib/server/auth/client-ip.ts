import "server-only";
import crypto from "node:crypto";
import dc from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import net from "node:net";
import type { Socket } from "node:net";
import { normalizeIp } from "@/lib/schemas/ip-address.ts";
import type { TrustProxy } from "../config.ts";

// The client's IP, for every use (sign-in throttle, meta-audit, read tokens),
// derived in one place. X-Forwarded-For is whatever the client typed unless a
// proxy we trust wrote it, so by default only the TCP peer counts.
//
// Next.js exposes no socket to route handlers, pages or server actions, and it
// fills X-Forwarded-For with the peer only when the client sent none. So the
// server stamps each request, before Next.js sees it, with the peer address in
// a private header carrying a per-process random nonce: a client can send a
// header of that name, but cannot know the nonce, so a forged one is ignored.

const PEER_HEADER = "x-ledgerline-peer";

type Stamp = { nonce: string; channel: dc.Channel };
// Per process; instrumentation and each route bundle are separate module graphs.
const g = globalThis as typeof globalThis & { __ledgerlinePeerStamp?: Stamp };

/**
 * Called once at server start (instrumentation.ts). Requests accepted before it
 * ran carry no stamp: their client IP is unknown (recorded without one, and not
 * counted against a per-IP budget), never taken from a header.
 */
export function installPeerAddressStamp(): void {
  if (g.__ledgerlinePeerStamp) return;
  const nonce = crypto.randomBytes(18).toString("base64url");
  // Published by node:http for every request before its 'request' event.
  const channel = dc.channel("http.server.request.start");
  channel.subscribe((message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    request.headers[PEER_HEADER] = `${nonce} ${socket.remoteAddress ?? ""}`;
  });
  // The channel is kept referenced here so its subscription lives as long as the process.
  g.__ledgerlinePeerStamp = { nonce, channel };
}

type HeaderSource = Headers | Record<string, string | string[] | undefined> | null | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

/** An address as written by a socket or a proxy ("::ffff:1.2.3.4", "[::1]:443", "1.2.3.4:80") in stored form, or null. */
export function normalizeAddress(raw: string): string | null {
  let s = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(":"));
  s = s.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
  return normalizeIp(s);
}

/** The TCP peer's address from this process's stamp, or undefined (no stamp, or a forged one). */
export function peerAddress(headers: HeaderSource): string | undefined {
  const stamp = g.__ledgerlinePeerStamp;
  const v = header(headers, PEER_HEADER);
  if (!stamp || !v) return undefined;
  const space = v.indexOf(" ");
  const nonce = space < 0 ? v : v.slice(0, space);
  const a = Buffer.from(nonce);
  const b = Buffer.from(stamp.nonce);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return undefined;
  return normalizeAddress(v.slice(space + 1)) ?? undefined;
}

const blockLists = new WeakMap<TrustProxy, net.BlockList>();

function trustedNetworks(trust: Extract<TrustProxy, { kind: "networks" }>): net.BlockList {
  let list = blockLists.get(trust);
  if (!list) {
    list = new net.BlockList();
    for (const n of trust.networks) list.addSubnet(n.address, n.prefix, n.family);
    blockLists.set(trust, list);
  }
  return list;
}

/**
 * The client's IP: the peer itself unless LEDGERLINE_TRUST_PROXY says which
 * X-Forwarded-For entries our own proxies wrote. Entries left of an unparseable
 * one are ignored (only a hop we trust can vouch for what is left of it).
 */
export function clientIpFrom(peer: string | undefined, forwardedFor: string | undefined, trust: TrustProxy) {
  if (!peer || trust.kind === "none") return peer;
  const chain: string[] = [];
  for (const part of (forwardedFor ?? "").split(",")) {
    if (!part.trim()) continue;
    const a = normalizeAddress(part);
    if (a) chain.push(a);
    else chain.length = 0;
  }
  chain.push(peer);
  if (trust.kind === "hops") return chain[Math.max(0, chain.length - 1 - trust.hops)];
  const list = trustedNetworks(trust);
  for (let i = chain.length - 1; i > 0; i--) {
    const a = chain[i]!;
    if (!list.check(a, net.isIPv4(a) ? "ipv4" : "ipv6")) return a;
  }
  return chain[0];
}

/** The one function every caller uses: the client IP of a request's headers. */
export function clientIp(headers: HeaderSource, trust: TrustProxy): string | undefined {
  return clientIpFrom(peerAddress(headers), header(headers, "x-forwarded-for"), trust);
}
