// Abuse over HTTP: a bounded number of hostile requests (fast-check samples)
// against a real server — malformed and deeply nested JSON, duplicate and
// `__proto__` / `constructor` / `prototype` keys, lone surrogates and invalid
// UTF-8 bytes, NUL and RTL overrides, huge strings, arrays and bodies, wrong
// content types and credentials, hostile query strings on the read API.
// Properties: never a 5xx, the server stays up, everything acknowledged is
// stored (and nothing else), a well-formed event still goes in afterwards, and
// the log verifies. The function-level half is lib/server/ingest/parse/*.property.test.ts.
import fc from "fast-check";
import {
  Checks,
  createIngestKey,
  isStaleSocket,
  createReadToken,
  log,
  makeEvent,
  newSqliteStore,
  startServer,
  stopServer,
  storedIds,
  verifyLog,
  type Store,
} from "./support.ts";

const SOURCE = "spiffe://stress.example/ns/abuse/sa/fuzzer";
const HOSTILE_KEYS = ["__proto__", "constructor", "prototype", "polluted", "toString"];

const nasty = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom(
    "\u0000",
    "\ud800",
    "a\udfff",
    "\u202eevil",
    "\u2066x\u2069",
    "\ufeff",
    "=1+1",
    "'; DROP TABLE entries; --",
    "%00",
    "../../etc/passwd",
  ),
  fc.integer({ min: 1, max: 3 }).map((k) => "y".repeat(k * 200_000)),
);
const key = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 }));
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    nasty,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(key, tie("v"), { maxKeys: 4 }),
  ),
})).v;

const base = JSON.stringify({
  timestamp: new Date().toISOString(),
  eventType: "read",
  requester: { id: "spiffe://x/a" },
  target: { id: "db://x/t" },
  outcome: "success",
});

type Req = { method: string; path: string; headers: Record<string, string>; body?: Uint8Array | string };

function reqArb(ingestKey: string, readToken: string): fc.Arbitrary<Req> {
  const auth = { authorization: `Bearer ${ingestKey}` };
  const post = (body: string | Uint8Array, ct = "application/json"): Req => ({
    method: "POST",
    path: "/api/v1/events",
    headers: { ...auth, "content-type": ct },
    body,
  });
  return fc.oneof(
    // a valid frame with one hostile field or attributes (text, so __proto__ stays an own key)
    fc
      .tuple(
        fc.constantFrom(
          "id",
          "requester",
          "target",
          "reason",
          "action",
          "attributes",
          "correlationId",
          "__proto__",
          "constructor",
          "timestamp",
        ),
        value,
      )
      .map(([f, v]) => post(`${base.slice(0, -1)},${JSON.stringify(f)}:${JSON.stringify(v) ?? "null"}}`)),
    fc
      .dictionary(key, value, { maxKeys: 4 })
      .map((attrs) => post(`${base.slice(0, -1)},"attributes":${JSON.stringify(attrs)}}`)),
    fc.integer({ min: 65, max: 100_000 }).map((d) => post("[".repeat(d) + "]".repeat(d))),
    fc
      .integer({ min: 65, max: 50_000 })
      .map((d) => post(`${base.slice(0, -1)},"attributes":${'{"a":'.repeat(d)}1${"}".repeat(d)}}`)),
    fc
      .constantFrom(...HOSTILE_KEYS)
      .map((k) => post(`{${JSON.stringify(k)}:1,${base.slice(1, -1)},${JSON.stringify(k)}:2}`)),
    fc.constant(post(`[${new Array(1500).fill(base).join(",")}]`)),
    fc.constant(post("x".repeat(6 * 1024 * 1024))), // over the 5 MiB body limit
    fc
      .uint8Array({ minLength: 1, maxLength: 200 })
      .map((bytes) =>
        post(Uint8Array.from([...new TextEncoder().encode(base.slice(0, 20)), 0xc3, 0x28, 0xed, 0xa0, 0x80, ...bytes])),
      ),
    fc.string({ unit: "binary", maxLength: 300 }).map((s) => post(s)),
    fc.string({ maxLength: 200 }).map((s) => post(`${base}\n${s}\n${base}`, "application/x-ndjson")),
    fc
      .constantFrom(
        "text/plain",
        "application/xml",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin1",
      )
      .map((ct) => post(base, ct)),
    fc
      .constantFrom(
        "",
        "Bearer",
        "Bearer llk_x",
        "Basic Zm9vOmJhcg==",
        `Bearer ${ingestKey}x`,
        "Bearer \u00ff\u00fe",
        `Bearer ${ingestKey.slice(0, -1)}`,
      )
      .map((a) => ({
        method: "POST",
        path: "/api/v1/events",
        headers: { "content-type": "application/json", ...(a ? { authorization: a } : {}) },
        body: base,
      })),
    fc
      .tuple(
        fc.constantFrom(
          "__proto__[polluted]",
          "constructor[prototype][polluted]",
          "requester",
          "from",
          "cursor",
          "limit",
          "sort",
          "q",
          "outcome",
          "seqFrom",
        ),
        fc.string({ unit: "binary", maxLength: 40 }),
      )
      .map(([k, v]) => ({
        method: "GET",
        path: `/api/v1/events?${encodeURIComponent(k)}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, "x"))}`,
        headers: { authorization: `Bearer ${readToken}` },
      })),
    fc
      .constantFrom(
        "/api/v1/events/__proto__",
        "/api/v1/events/-1",
        "/api/v1/events/99999999999999999999",
        "/api/v1/proofs/inclusion?seq=__proto__",
        "/api/v1/proofs/consistency?from=2&to=1",
        "/api/v1/events/summary?from=zz",
      )
      .map((p) => ({ method: "GET", path: p, headers: { authorization: `Bearer ${readToken}` } })),
  );
}

export type AbuseReport = { requests: number; statuses: string; acked: number };

export async function runAbuse(checks: Checks, requests: number, storeIn?: Store): Promise<AbuseReport> {
  const store = storeIn ?? newSqliteStore("abuse");
  // No rate limits: every hostile request must reach the parsers, not a 429.
  const server = await startServer(store, { LEDGERLINE_RATE_LIMIT: "0", LEDGERLINE_READ_RATE_LIMIT: "0" });
  try {
    const ingestKey = createIngestKey(store, SOURCE);
    const token = createReadToken(store, "analyst");
    const samples = fc.sample(reqArb(ingestKey, token), { numRuns: requests, seed: 9 });
    const statuses = new Map<number, number>();
    const fivexx: string[] = [];
    const acked = new Set<string>();
    let serverAssigned = 0;
    let earlyClose = 0;
    for (const s of samples) {
      let status = 0;
      try {
        const send = () =>
          fetch(`${server.url}${s.path}`, {
            method: s.method,
            headers: s.headers,
            body: s.body as BodyInit | undefined,
            signal: AbortSignal.timeout(60_000),
          });
        const r = await send().catch((e: unknown) => (isStaleSocket(e) ? send() : Promise.reject(e)));
        status = r.status;
        const text = await r.text();
        if (r.status === 201 || r.status === 200) {
          if (s.method === "POST") {
            const j = JSON.parse(text) as { accepted: Array<{ id: string }> };
            for (const a of j.accepted) acked.add(a.id);
            serverAssigned += j.accepted.length;
          }
        }
        if (status >= 500)
          fivexx.push(
            `${status} ${s.method} ${s.path.slice(0, 80)} body ${String(s.body ?? "").slice(0, 120)} → ${text.slice(0, 200)}`,
          );
      } catch (e) {
        const size = typeof s.body === "string" ? Buffer.byteLength(s.body) : (s.body?.byteLength ?? 0);
        // The server answers an oversized body with 413 as soon as it passes the limit and
        // closes the connection while the client is still uploading: correct HTTP, no crash.
        if (size > 5 * 1024 * 1024) earlyClose++;
        else
          fivexx.push(
            `no answer (${(e as Error).message}; ${String((e as { cause?: unknown }).cause ?? "")}) ${s.method} ${s.path.slice(0, 80)}`,
          );
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const fmt = [...statuses.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([k, v]) => `${k}×${v}`)
      .join(" ");
    log(
      `abuse: ${samples.length} hostile requests → ${fmt}${earlyClose ? ` (0 = ${earlyClose} oversized uploads cut off after the server's early 413)` : ""}`,
    );
    checks.check(
      `abuse: ${samples.length} hostile requests, never a 5xx or a dropped connection`,
      fivexx.length === 0,
      fivexx.slice(0, 3).join(" | ") || fmt,
    );
    // Still alive and still correct: a normal event goes in and comes back.
    const ok = await fetch(`${server.url}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${ingestKey}`, "content-type": "application/json" },
      body: JSON.stringify(makeEvent("abuse-after")),
    });
    await ok.text();
    checks.check("abuse: the server still ingests a valid event afterwards", ok.status === 201, `status ${ok.status}`);
    const ids = await storedIds(store, SOURCE);
    const stored = [...ids.values()].reduce((a, b) => a + b, 0) - 1;
    checks.check(
      "abuse: what was acknowledged is stored, and nothing else",
      stored === serverAssigned && [...acked].every((id) => ids.get(id) === 1),
      `${serverAssigned} acknowledged, ${stored} stored`,
    );
    const v = verifyLog(store);
    checks.check("abuse: the log verifies", v.ok, `tree size ${v.treeSize}${v.reason ? `, ${v.reason}` : ""}`);
    return { requests: samples.length, statuses: fmt, acked: serverAssigned };
  } catch (e) {
    console.error(`--- server log (last 30 lines) ---\n${server.log.slice(-30).join("\n")}`);
    throw e;
  } finally {
    await stopServer(server);
  }
}
