// The security review's data-side findings (issue 13 items 4, 6, 8, 9, 11, 12), replayed
// against a real `next start` server on a fresh SQLite store, started the way an operator
// would start production (LEDGERLINE_ENV=production). Each check names the bug it guards;
// the unit and integration tests beside the code prove the same on both stores, this
// suite proves the running product still refuses. A stress-tier suite
// (`npm run test:stress -- --only=security-data`), in the default and --quick sets.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { otlpLogsProtobuf, type OtlpAttr } from "../support/otlp-protobuf.ts";
import { callJson, fetchRetry, securityEvent, signInCookie, withProductionServer } from "./auth-helpers.ts";
import { runSecurityIntegrity } from "./integrity.ts";
import { Checks, cliJson, log, runCli, startServer, stopServer, type Server, type Store } from "../stress/support.ts";

const SOURCE = "spiffe://security.example/ns/shop/sa/orders";
const SECRET = crypto.randomBytes(32).toString("base64");

type Json = Record<string, unknown>;

const event = securityEvent;

const call = (server: Server, p: string, init: RequestInit = {}) => callJson(server.url, p, init);

const bearer = (token: string, type = "application/json") => ({
  authorization: `Bearer ${token}`,
  "content-type": type,
});

const HTTP_ACCESS: OtlpAttr[] = [
  ["http.request.method", "GET"],
  ["http.route", "/v1/orders/{id}"],
  ["enduser.id", "spiffe://security.example/ns/shop/sa/checkout"],
];

export async function runSecurityData(c: Checks): Promise<Record<string, unknown>> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-security-"));
  // A data dir Ledgerline creates itself, so its mode is Ledgerline's doing.
  const store: Store = { dialect: "sqlite", dataDir: path.join(root, "data") };
  const figures: Record<string, unknown> = {};
  try {
    // ---- item 9: production never seeds the demo; asking for it stops the start ----
    const demoOn = await startServer(store, {
      LEDGERLINE_ENV: "production",
      LEDGERLINE_DEMO: "on",
      NEXTAUTH_SECRET: SECRET,
    }).then(
      async (s) => {
        await stopServer(s);
        return "started";
      },
      (e: Error) => e.message,
    );
    c.check(
      "item 9: LEDGERLINE_DEMO=on with LEDGERLINE_ENV=production is a start-up error saying what to do",
      demoOn !== "started" && demoOn.includes("Unset LEDGERLINE_DEMO"),
      demoOn.split("\n").find((l) => l.includes("LEDGERLINE_DEMO")) ?? demoOn.slice(-300),
    );
    fs.rmSync(store.dataDir, { recursive: true, force: true });

    // One pending bundle per user, so a burst of requests meets the bound at once.
    const { server, startMs } = await withProductionServer(
      store,
      SECRET,
      { LEDGERLINE_MAX_PENDING_BUNDLES: "1" },
      (s) => replay(c, store, s),
    );
    figures.startMs = startMs;
    const printed = server.log.join("\n");
    c.check(
      "item 9: a production start prints no demo login, password or ingest key",
      !/demo login|llk_[a-z0-9]{12}_|shown once/.test(printed),
      printed.split("\n").slice(0, 8).join(" | "),
    );
    // ---- item 12: integrity classification, on a server of its own (verification every second) ----
    await runSecurityIntegrity(c, path.join(root, "integrity"), SECRET);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  return figures;
}

/** What the checks use, made through the CLI as an operator makes them. */
type Fixtures = { key: string; password: string; plain: string; scoped: string };

async function replay(c: Checks, store: Store, server: Server): Promise<void> {
  const fx = makeFixtures(store);
  await checkReservedNamespace(c, store, server);
  await checkLookalikes(c, server, fx);
  await checkSilentChanges(c, server, fx.key);
  await checkBundleLimits(c, server, fx);
  checkFileModes(c, store);
  log(`security-data: replayed against ${server.url}`);
}

function makeFixtures(store: Store): Fixtures {
  const { key } = cliJson<{ key: string }>(store, ["keys", "create", "--source", SOURCE]);
  const password = crypto.randomBytes(12).toString("hex");
  cliJson(
    store,
    ["users", "create", "--email", "aud@security.example", "--role", "auditor", "--password-stdin"],
    password,
  );
  const plain = cliJson<{ token: string }>(store, ["tokens", "create", "--email", "aud@security.example"]).token;
  const scoped = cliJson<{ token: string }>(store, [
    "tokens",
    "create",
    "--email",
    "aud@security.example",
    "--scope",
    "bundles:create",
  ]).token;
  return { key, password, plain, scoped };
}

// ---- item 4: the ledgerline: namespace is reserved ----
async function checkReservedNamespace(c: Checks, store: Store, server: Server): Promise<void> {
  const db = path.join(store.dataDir, "ledgerline.db");
  const reserved = runCli(store, ["keys", "create", "--source", "ledgerline:dashboard"]);
  c.check(
    "item 4: no ingest key can be created for ledgerline:dashboard",
    reserved.status === 1 && reserved.stderr.includes("reserved"),
    reserved.stderr.slice(0, 200),
  );
  const forgedSecret = insertForgedKey(db);
  const forged = event({
    requester: { id: "admin@security.example", type: "user" },
    target: { id: "ledgerline://users/eve@security.example", service: "ledgerline", type: "user" },
    action: "user.set-role",
  });
  const routes: Array<[string, string]> = [
    ["/api/v1/events", JSON.stringify(forged)],
    ["/api/v1/otlp/v1/logs", JSON.stringify({ resourceLogs: [] })],
    ["/api/v1/k8s/audit", JSON.stringify({ kind: "EventList", apiVersion: "audit.k8s.io/v1", items: [] })],
  ];
  for (const [route, body] of routes) {
    const r = await call(server, route, { method: "POST", headers: bearer(forgedSecret), body });
    c.check(
      `item 4: a key bound to ledgerline:dashboard is refused on ${route} (403, says to revoke it)`,
      r.status === 403 && String(r.body.detail).includes("ledgerline keys revoke"),
      `${r.status} ${r.text.slice(0, 200)}`,
    );
  }
  const forgedRows = countEntries(db, "user.set-role");
  const refusals = countEntries(db, "ingest.refused-reserved-source");
  c.check(
    "item 4: nothing forged is stored; the attempt itself is in the log, once",
    forgedRows === 0 && refusals === 1,
    `forged ${forgedRows}, refusal records ${refusals}`,
  );
}

/** A key bound to ledgerline:dashboard anyway (made before the rule, or by someone with the database). */
function insertForgedKey(db: string): string {
  const forgedSecret = `llk_forgedkey001_${crypto.randomBytes(32).toString("base64url").slice(0, 43)}`;
  const conn = new Database(db);
  conn.pragma("busy_timeout = 10000");
  conn
    .prepare("INSERT INTO ingest_keys (id, source, secret_hash, description, created_at) VALUES (?, ?, ?, ?, ?)")
    .run(
      "forgedkey001",
      "ledgerline:dashboard",
      crypto.createHash("sha256").update(forgedSecret).digest("hex"),
      "inserted by hand",
      new Date().toISOString(),
    );
  conn.close();
  return forgedSecret;
}

function countEntries(db: string, action: string): number {
  const conn = new Database(db, { readonly: true });
  try {
    return (conn.prepare("SELECT COUNT(*) AS n FROM entries WHERE action = ?").get(action) as { n: number }).n;
  } finally {
    conn.close();
  }
}

// ---- item 6: lookalike identities ----
async function checkLookalikes(c: Checks, server: Server, fx: Fixtures): Promise<void> {
  const fields: Array<[string, (v: string) => Json]> = [
    ["/requester/id", (v) => event({ requester: { id: v } })],
    ["/target/id", (v) => event({ target: { id: v } })],
    ["/target/service", (v) => event({ target: { id: "t", service: v } })],
    ["/action", (v) => event({ action: v })],
    ["/correlationId", (v) => event({ correlationId: v })],
    ["/id", (v) => event({ id: v })],
  ];
  for (const [pointer, make] of fields) {
    const r = await call(server, "/api/v1/events", {
      method: "POST",
      headers: bearer(fx.key),
      body: JSON.stringify(make("pay\u200bments")),
    });
    const errs = (r.body.errors ?? []) as Array<{ pointer: string; detail: string }>;
    c.check(
      `item 6: U+200B in ${pointer} is refused with 422 naming the field and the code point`,
      r.status === 422 && errs[0]?.pointer === pointer && errs[0].detail.includes("U+200B ZERO WIDTH SPACE"),
      `${r.status} ${r.text.slice(0, 240)}`,
    );
  }
  const filter = await call(server, `/api/v1/events?requester=${encodeURIComponent("pay\u2060ments*")}`, {
    headers: { authorization: `Bearer ${fx.plain}` },
  });
  c.check(
    "item 6: the explorer filter refuses the same characters (one identifier rule)",
    filter.status === 400 && filter.text.includes("U+2060 WORD JOINER"),
    `${filter.status} ${filter.text.slice(0, 200)}`,
  );
  await checkFormatCharactersShown(c, server, fx);
}

async function checkFormatCharactersShown(c: Checks, server: Server, fx: Fixtures): Promise<void> {
  const rlo = await call(server, "/api/v1/events", {
    method: "POST",
    headers: bearer(fx.key),
    body: JSON.stringify(
      event({ outcome: "denied", reason: "user \u202elive\u202c tried", attributes: { note: "x\u200by" } }),
    ),
  });
  const seq = (rlo.body.accepted as Array<{ seq: number }> | undefined)?.[0]?.seq;
  c.check(
    "item 6: free text keeps format characters (201)",
    rlo.status === 201 && seq !== undefined,
    rlo.text.slice(0, 200),
  );
  if (seq === undefined) return;
  const cookie = await signInCookie(server.url, "aud@security.example", fx.password);
  const page = await call(server, `/events/${seq}`, { headers: { cookie } });
  // What the browser shows: the HTML outside scripts (the React payload keeps the real bytes for the copy button).
  const shown = page.text.replace(/<script\b[\s\S]*?<\/script>/g, "").replace(/<[^>]*>/g, "");
  c.check(
    "item 6: the entry page shows the right-to-left override as a mark, never as a live control",
    page.status === 200 &&
      shown.includes("⟨U+202E⟩live⟨U+202C⟩") &&
      shown.includes("⟨U+200B⟩") &&
      !/[\u202a-\u202e\u2066-\u2069\u200b]/.test(shown),
    `${page.status}, marks ${shown.includes("⟨U+202E⟩")}, raw ${/[\u202e\u200b]/.test(shown)}`,
  );
}

// ---- item 8: silent changes ----
async function checkSilentChanges(c: Checks, server: Server, key: string): Promise<void> {
  const id = `sec-num-${crypto.randomBytes(4).toString("hex")}`;
  const rounded = await call(server, "/api/v1/events", {
    method: "POST",
    headers: bearer(key),
    body: JSON.stringify(event({ id })).replace(/}$/, ',"attributes":{"x":1.00000000000000000001}}'),
  });
  const errs = (rounded.body.errors ?? []) as Array<{ pointer: string; detail: string }>;
  c.check(
    "item 8: a number JSON would round is refused (422 at /attributes/x)",
    rounded.status === 422 && errs[0]?.pointer === "/attributes/x" && errs[0].detail.includes("would be stored as 1"),
    `${rounded.status} ${rounded.text.slice(0, 240)}`,
  );
  const exact = await call(server, "/api/v1/events", {
    method: "POST",
    headers: bearer(key),
    body: JSON.stringify(event({ id, attributes: { x: 1 } })),
  });
  c.check(
    "item 8: the same id with the value it would have become is new, not a duplicate",
    exact.status === 201 && (exact.body.accepted as unknown[] | undefined)?.length === 1,
    `${exact.status} ${exact.text.slice(0, 200)}`,
  );
  await checkOtlpRepeatedKeys(c, server, key);
}

/** An OTLP record that repeats an attribute key is rejected, over JSON and over protobuf. */
async function checkOtlpRepeatedKeys(c: Checks, server: Server, key: string): Promise<void> {
  const dupJson = await call(server, "/api/v1/otlp/v1/logs", {
    method: "POST",
    headers: bearer(key),
    body: otlpJsonRepeatedStatus(),
  });
  const ps = dupJson.body.partialSuccess as { rejectedLogRecords?: number; errorMessage?: string } | undefined;
  c.check(
    "item 8: an OTLP/JSON record with a repeated attribute key is a rejected record, not 200 {}",
    dupJson.status === 200 && ps?.rejectedLogRecords === 1 && /more than once/.test(ps.errorMessage ?? ""),
    dupJson.text.slice(0, 240),
  );
  const pb = await fetchRetry(`${server.url}/api/v1/otlp/v1/logs`, {
    signal: AbortSignal.timeout(60_000),
    method: "POST",
    headers: bearer(key, "application/x-protobuf"),
    body: otlpLogsProtobuf([
      {
        timeUnixNano: BigInt(Date.now()) * 1_000_000n,
        attrs: [...HTTP_ACCESS, ["http.response.status_code", 200n], ["http.response.status_code", 403n]],
      },
    ]) as BodyInit,
  });
  const pbBody = Buffer.from(await pb.arrayBuffer());
  c.check(
    "item 8: the same over OTLP/protobuf: partial_success with one rejected record",
    pb.status === 200 &&
      pbBody.includes(Buffer.from([0x08, 0x01])) &&
      pbBody.toString("utf8").includes("more than once"),
    `${pb.status} ${pbBody.toString("utf8").slice(0, 200)}`,
  );
}

function otlpJsonRepeatedStatus(): string {
  const record = {
    timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
    attributes: [
      ...HTTP_ACCESS.map(([k, v]) => ({ key: k, value: { stringValue: String(v) } })),
      { key: "http.response.status_code", value: { intValue: "200" } },
      { key: "http.response.status_code", value: { intValue: "403" } },
    ],
  };
  const resource = { attributes: [{ key: "service.name", value: { stringValue: "orders-api" } }] };
  return JSON.stringify({ resourceLogs: [{ resource, scopeLogs: [{ logRecords: [record] }] }] });
}

// ---- item 11: bundle endpoint limits, token scopes ----
async function checkBundleLimits(c: Checks, server: Server, fx: Fixtures): Promise<void> {
  const noScope = await call(server, "/api/v1/bundles", {
    method: "POST",
    headers: bearer(fx.plain),
    body: JSON.stringify({ filter: {} }),
  });
  const noRun = await call(server, "/api/v1/integrity/runs", { method: "POST", headers: bearer(fx.plain) });
  const me = await call(server, "/api/v1/me", { headers: { authorization: `Bearer ${fx.plain}` } });
  c.check(
    "item 11: a token without scopes reads (me: events:read) but may neither export nor start a full pass",
    noScope.status === 403 &&
      noRun.status === 403 &&
      String(noScope.body.detail).includes("--scope bundles:create") &&
      me.status === 200 &&
      JSON.stringify(me.body.scopes) === '["events:read"]',
    `bundles ${noScope.status}, runs ${noRun.status}, me ${me.status} ${JSON.stringify(me.body.scopes)}`,
  );
  await checkOversizedUpload(c, server, fx.scoped);
  await checkPendingBound(c, server, fx.scoped);
}

/** A 40 MB upload, chunked (no Content-Length): the answer must come long before it is all sent. */
async function checkOversizedUpload(c: Checks, server: Server, scoped: string): Promise<void> {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const big = new ReadableStream<Uint8Array>({
    pull(ctl) {
      if (sent >= 40 * 1024 * 1024) return ctl.close();
      sent += chunk.byteLength;
      ctl.enqueue(chunk);
    },
  });
  await call(server, "/api/v1/checkpoint"); // a fresh socket: a streamed body cannot be sent twice
  const t0 = Date.now();
  const ac = new AbortController();
  const r413 = await fetch(`${server.url}/api/v1/bundles`, {
    method: "POST",
    headers: bearer(scoped),
    body: big,
    duplex: "half",
    signal: ac.signal,
  } as RequestInit).catch((e: Error) => e);
  const sentAtAnswer = sent;
  ac.abort();
  c.check(
    "item 11: a 40 MB bundle request is answered 413 while it is still being sent (limit enforced while reading)",
    !(r413 instanceof Error) && r413.status === 413 && sentAtAnswer < 16 * 1024 * 1024,
    `${r413 instanceof Error ? r413.message : r413.status} after ${(sentAtAnswer / 1048576).toFixed(1)} MiB, ${Date.now() - t0} ms`,
  );
}

/** Several at once from one user: at most LEDGERLINE_MAX_PENDING_BUNDLES (1 here) pending. */
async function checkPendingBound(c: Checks, server: Server, scoped: string): Promise<void> {
  const burst = await Promise.all(
    Array.from({ length: 6 }, () =>
      call(server, "/api/v1/bundles", {
        method: "POST",
        headers: bearer(scoped),
        body: JSON.stringify({ filter: {} }),
      }),
    ),
  );
  const codes = burst.map((b) => b.status);
  const limited = burst.find((b) => b.status === 429);
  c.check(
    "item 11: one user's burst of bundle requests is bounded (429 + Retry-After beyond the limit)",
    codes.filter((s) => s === 202).length < codes.length && // a bundle that finished meanwhile frees its place
      codes.every((s) => s === 202 || s === 429) &&
      limited !== undefined &&
      /^\d+$/.test(limited.headers.get("retry-after") ?? ""),
    codes.join(","),
  );
}

// ---- item 9: file modes, after the server (and Prisma's connection) wrote ----
function checkFileModes(c: Checks, store: Store): void {
  const mode = (p: string) => fs.statSync(p).mode & 0o777;
  const files = fs.readdirSync(store.dataDir).filter((f) => f.startsWith("ledgerline.db"));
  c.check(
    "item 9: the data dir is 0700 and the database, WAL and SHM files 0600 on a fresh start",
    mode(store.dataDir) === 0o700 &&
      files.length >= 3 &&
      files.every((f) => mode(path.join(store.dataDir, f)) === 0o600),
    `dir ${mode(store.dataDir).toString(8)}; ${files.map((f) => `${f} ${mode(path.join(store.dataDir, f)).toString(8)}`).join(", ")}`,
  );
}
