// requester.ip (SPEC §1): an IPv4 or IPv6 literal. Hand-written instead of node:net so the
// schema also runs in the browser (forms), and because the common regexes accept things
// like `1::2::3` or `1.2.3.4::`.
//
// Decisions:
// - IPv4 is dotted-quad decimal without leading zeros: `010.0.0.1` is octal to some parsers
//   and decimal to others, and an audit record must not be ambiguous about who it names.
// - IPv6 follows RFC 4291 §2.2 text forms (including `::` and a trailing dotted IPv4 part).
//   Zone ids (`fe80::1%eth0`) and brackets (`[::1]`) are rejected: a zone id is only meaningful
//   on the sender's host, and brackets belong to URLs, not to addresses.
// - Normalization only lowercases IPv6 hex digits; the sender's compression is kept as sent.

const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

export function isIpv4(s: string): boolean {
  return IPV4.test(s);
}

export function isIpv6(s: string): boolean {
  // 45 = eight groups written with an embedded IPv4 tail at full width.
  if (s.length < 2 || s.length > 45) return false;
  const gap = s.indexOf("::");
  if (gap !== -1 && s.indexOf("::", gap + 1) !== -1) return false;
  const headText = gap === -1 ? s : s.slice(0, gap);
  const tailText = gap === -1 ? "" : s.slice(gap + 2);
  const head = headText === "" ? [] : headText.split(":");
  const tail = tailText === "" ? [] : tailText.split(":");
  const parts = [...head, ...tail];
  let groups = 0;
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!;
    // A dotted IPv4 part may only be the very last thing in the address.
    const isLast = k === parts.length - 1 && (gap === -1 || tail.length > 0);
    if (isLast && part.includes(".")) {
      if (!IPV4.test(part)) return false;
      groups += 2;
    } else if (HEX_GROUP.test(part)) {
      groups += 1;
    } else {
      return false;
    }
  }
  // `::` stands for at least one zero group.
  return gap === -1 ? groups === 8 : groups <= 7;
}

/** The stored form of an IP literal, or null when `s` is neither IPv4 nor IPv6. */
export function normalizeIp(s: string): string | null {
  if (isIpv4(s)) return s;
  if (isIpv6(s)) return s.toLowerCase();
  return null;
}
