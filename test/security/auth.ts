// The security review of issue 13 (part A), replayed against real `next start`
// servers on every stress run: each check opens with the bug it guards and
// fails on the code the review found it in.
//
//  1  sign-in throttle bypass: JSON-encoded attempts were never throttled, and
//     9 of 10 parallel guesses were processed under a limit of 5; the limit was
//     also per process, so two instances on one PostgreSQL gave 2 × 5 guesses.
//  2  open redirect after sign-in: /login?callbackUrl=/%5C<host>/… and /%09/…
//  3  X-Forwarded-For trusted by default: escaped the per-IP throttle and chose
//     the IP written into the meta-audit.
//  5  sign-out did not end the session: a copied cookie still got /api/v1/me 200.
//  7  unbounded meta-audit growth from reads: 150 identical searches, 150 entries, no 429.
// 10  no security headers (CSP with nonces, framing, referrer, nosniff, HSTS on https).
//
// Server A runs on SQLite with the defaults (only the read-audit window is
// shortened); servers B and C are two instances on one PostgreSQL database
// behind a "proxy" at 127.0.0.1 (LEDGERLINE_TRUST_PROXY) with an https NEXTAUTH_URL.
import crypto from "node:crypto";
import { freePort } from "../support/free-port.ts";
import {
  createReadToken,
  log,
  sleep,
  startServer,
  stopServer,
  type Checks,
  type Server,
  type Store,
} from "../stress/support.ts";
import {
  auditEntries,
  createUser,
  fetchRetry,
  maxSeq,
  me,
  signInAttempt,
  signOut,
  type AuditRow,
} from "./auth-helpers.ts";

const READ_AUDIT_WINDOW_S = 3;

export type SecurityAuthReport = { parallelProcessed: number; readStatuses: string; serversStarted: number };

export async function runSecurityAuth(
  c: Checks,
  store: Store,
  pgStore: (() => Promise<Store>) | null,
): Promise<SecurityAuthReport> {
  const report: SecurityAuthReport = { parallelProcessed: -1, readStatuses: "", serversStarted: 0 };
  const a = await startServer(store, { LEDGERLINE_READ_AUDIT_WINDOW: String(READ_AUDIT_WINDOW_S) });
  report.serversStarted++;
  try {
    await headersOnServerA(c, a);
    await openRedirect(c, a, store);
    await signOutEndsSession(c, a, store);
    report.readStatuses = await readLimits(c, a, store);
    // The throttle checks spend 127.0.0.1's failure budget: they go last.
    await forwardedForIgnored(c, a, store);
    report.parallelProcessed = await throttleBypass(c, a, store);
  } catch (e) {
    console.error(`--- server A log (last 30 lines) ---\n${a.log.slice(-30).join("\n")}`);
    throw e;
  } finally {
    await stopServer(a);
  }
  if (pgStore) report.serversStarted += await behindAProxyOnPostgres(c, await pgStore());
  else c.check("2 instances on one PostgreSQL: cluster available", false, "no PostgreSQL cluster was started");
  return report;
}

const sameOrigin = (base: string, url: string | null) => {
  try {
    return url !== null && new URL(url, base).origin === new URL(base).origin;
  } catch {
    return false;
  }
};

// ── 10: security headers ───────────────────────────────────────────────────

async function headersOnServerA(c: Checks, a: Server): Promise<void> {
  const r1 = await fetchRetry(`${a.url}/login`);
  const html = await r1.text();
  const r2 = await fetchRetry(`${a.url}/login`);
  await r2.text();
  const csp = r1.headers.get("content-security-policy") ?? "";
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1] ?? null;
  const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  c.check(
    "10 no security headers: /login has a Content-Security-Policy with a per-request script nonce and no unsafe-eval",
    !!nonce &&
      /script-src[^;]*'nonce-/.test(csp) &&
      !csp.includes("unsafe-eval") &&
      !/script-src[^;]*'unsafe-inline'/.test(csp) &&
      /default-src 'self'/.test(csp) &&
      /object-src 'none'/.test(csp) &&
      /base-uri 'self'/.test(csp) &&
      nonce !== /'nonce-([^']+)'/.exec(r2.headers.get("content-security-policy") ?? "")?.[1],
    csp || "no CSP header",
  );
  c.check(
    "10 no security headers: every script tag of /login carries the CSP nonce",
    !!nonce && scripts.length > 0 && scripts.every((s) => s.includes(`nonce="${nonce}"`)),
    `${scripts.length} script tags; ${scripts.filter((s) => !nonce || !s.includes(`nonce="${nonce}"`)).length} without the nonce`,
  );
  const pageHeaders = (h: Headers) =>
    /frame-ancestors 'none'/.test(h.get("content-security-policy") ?? "") &&
    h.get("x-frame-options") === "DENY" &&
    h.get("referrer-policy") === "same-origin" &&
    h.get("x-content-type-options") === "nosniff";
  const redirect = await fetchRetry(`${a.url}/events`, { redirect: "manual" });
  await redirect.text();
  const api = await fetchRetry(`${a.url}/api/v1/keys`);
  await api.text();
  const asset = /\/_next\/static\/[^"]+\.js/.exec(html)?.[0];
  const js = asset ? await fetchRetry(`${a.url}${asset}`) : null;
  await js?.arrayBuffer();
  const fmt = (h: Headers) =>
    ["content-security-policy", "x-frame-options", "referrer-policy", "x-content-type-options"]
      .map((k) => `${k}: ${(h.get(k) ?? "—").slice(0, 60)}`)
      .join("; ");
  c.check(
    "10 no security headers: pages and redirects forbid framing, send Referrer-Policy same-origin and nosniff",
    pageHeaders(r1.headers) && pageHeaders(redirect.headers),
    `${fmt(r1.headers)} | redirect ${redirect.status}: ${fmt(redirect.headers)}`,
  );
  c.check(
    "10 no security headers: API responses and static assets are nosniff, and the API may not be framed",
    api.headers.get("x-content-type-options") === "nosniff" &&
      /frame-ancestors 'none'/.test(api.headers.get("content-security-policy") ?? "") &&
      js?.status === 200 &&
      js.headers.get("x-content-type-options") === "nosniff",
    `api: ${fmt(api.headers)} | ${asset ?? "no asset"}: ${js ? fmt(js.headers) : "—"}`,
  );
  c.check(
    "10 no security headers: no Strict-Transport-Security on a plain-http NEXTAUTH_URL (a browser would pin a host that has no TLS)",
    r1.headers.get("strict-transport-security") === null,
    r1.headers.get("strict-transport-security") ?? "absent",
  );
}

// ── 2: open redirect ───────────────────────────────────────────────────────

const HOSTILE_CALLBACKS = [
  "/\\127.0.0.1:4251/pwned",
  "/\t/127.0.0.1:4251/pwned",
  "//127.0.0.1:4251/pwned",
  "/\\/127.0.0.1:4251/pwned",
  "/./\\127.0.0.1:4251/pwned",
  "https://127.0.0.1:4251/pwned",
  "/%5C127.0.0.1:4251/pwned",
];

async function openRedirect(c: Checks, a: Server, store: Store): Promise<void> {
  const email = `redirect-${crypto.randomBytes(3).toString("hex")}@example.test`;
  const password = `pw-${crypto.randomBytes(9).toString("hex")}`;
  createUser(store, email, "analyst", password);
  // The sign-in form follows the callback it is given, client-side: the login page must
  // hand it nothing but a same-origin path.
  // (The page's own URL is in its payload too; what matters is the form's callbackUrl prop.)
  const leaks: string[] = [];
  for (const cb of HOSTILE_CALLBACKS) {
    const html = await (await fetchRetry(`${a.url}/login?callbackUrl=${encodeURIComponent(cb)}`)).text();
    const prop = /\\"callbackUrl\\":\\"(.*?)\\"[,}]/.exec(html)?.[1];
    if (prop === undefined || prop !== "/")
      leaks.push(`${JSON.stringify(cb)} → ${prop ?? "no callbackUrl prop found"}`);
  }
  c.check(
    "2 open redirect after sign-in: the login page hands the sign-in form no cross-origin callbackUrl (/%5C…, /%09/…, //…)",
    leaks.length === 0,
    leaks.length ? `passed on to the form: ${leaks.join(", ")}` : `${HOSTILE_CALLBACKS.length} hostile callbacks → "/"`,
  );
  // next-auth's own answer after a correct sign-in names where to go next.
  const bad: string[] = [];
  for (const cb of HOSTILE_CALLBACKS) {
    const r = await signInAttempt(a.url, { email, password, callbackUrl: cb });
    let path = "";
    try {
      path = new URL(r.url ?? "", a.url).pathname;
    } catch {
      path = "(unparseable)";
    }
    if (r.status !== 200 || !sameOrigin(a.url, r.url) || path.includes("pwned"))
      bad.push(`${JSON.stringify(cb)} → ${r.status} ${r.url}`);
  }
  c.check(
    "2 open redirect after sign-in: a correct sign-in with a hostile callbackUrl is sent to this origin's /",
    bad.length === 0,
    bad.join(" | ") || "all answered with this origin",
  );
  const good = await signInAttempt(a.url, { email, password, callbackUrl: "/events?outcome=denied" });
  c.check(
    "2 open redirect after sign-in: a same-origin path callback is still followed",
    good.status === 200 && good.url === `${a.url}/events?outcome=denied`,
    `${good.status} ${good.url}`,
  );
  // The proxy's redirect of a cookie-less visitor builds callbackUrl from the request path.
  const viaProxy = await fetchRetry(`${a.url}/%5C127.0.0.1:4251/pwned`, { redirect: "manual" });
  await viaProxy.text();
  const loc = viaProxy.headers.get("location") ?? "";
  let cbParam = "";
  try {
    cbParam = new URL(loc, a.url).searchParams.get("callbackUrl") ?? "";
  } catch {
    cbParam = "(unparseable)";
  }
  c.check(
    "2 open redirect after sign-in: the proxy's sign-in redirect carries only a path of this origin",
    viaProxy.status >= 300 && viaProxy.status < 400 && sameOrigin(a.url, loc) && !/^\/[\\/\t]/.test(cbParam),
    `${viaProxy.status} ${loc}`,
  );
}

// ── 5: sign-out ends the session ──────────────────────────────────────────

async function signOutEndsSession(c: Checks, a: Server, store: Store): Promise<void> {
  const email = `signout-${crypto.randomBytes(3).toString("hex")}@example.test`;
  const password = `pw-${crypto.randomBytes(9).toString("hex")}`;
  createUser(store, email, "auditor", password);
  const laptop = await signInAttempt(a.url, { email, password });
  const phone = await signInAttempt(a.url, { email, password });
  const copied = laptop.jar.session();
  const before = await maxSeq(store);
  const ok = laptop.signedIn && phone.signedIn && copied !== null;
  const meBefore = ok ? await me(a.url, copied) : 0;
  const out = await signOut(a.url, laptop.jar);
  const meAfter = ok ? await me(a.url, copied) : 0;
  const otherDevice = phone.jar.session() ? await me(a.url, phone.jar.session()!) : 0;
  c.check(
    "5 sign-out does not end the session: a session cookie copied before sign-out gets 401 afterwards",
    ok && meBefore === 200 && out < 400 && laptop.jar.session() === null && meAfter === 401,
    `signed in ${ok}; /me before ${meBefore}; sign-out ${out}; /me with the copied cookie after ${meAfter}`,
  );
  c.check(
    "5 sign-out does not end the session: the same user's other session (another device) stays signed in",
    otherDevice === 200,
    `/me with the other session: ${otherDevice}`,
  );
  let audit: AuditRow[] = [];
  for (let i = 0; i < 20 && !audit.some((e) => e.action === "sign-out"); i++) {
    audit = await auditEntries(store, before, email);
    if (!audit.some((e) => e.action === "sign-out")) await sleep(100);
  }
  c.check(
    "5 sign-out does not end the session: the sign-out is still meta-audited",
    audit.some((e) => e.action === "sign-out" && e.outcome === "success"),
    audit.map((e) => `${e.action} ${e.outcome}`).join(", ") || "no entry",
  );
}

// ── 7: read limits and repeated searches ──────────────────────────────────

async function readLimits(c: Checks, a: Server, store: Store): Promise<string> {
  const token = createReadToken(store, "analyst");
  const who = await (await fetchRetry(`${a.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } })).json();
  const email = (who as { email: string }).email;
  const before = await maxSeq(store);
  const statuses = new Map<number, number>();
  let retryAfter: string | null = null;
  const t0 = Date.now();
  for (let i = 0; i < 150; i++) {
    const r = await fetchRetry(`${a.url}/api/v1/events?q=same-search&outcome=denied`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await r.text();
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    if (r.status === 429) retryAfter ??= r.headers.get("retry-after");
  }
  const elapsed = Date.now() - t0;
  const fmt = [...statuses].map(([k, v]) => `${k}×${v}`).join(" ");
  c.check(
    "7 unbounded meta-audit growth from reads: 150 rapid reads with one token meet 429 with Retry-After",
    (statuses.get(429) ?? 0) > 0 && Number(retryAfter) >= 1 && (statuses.get(200) ?? 0) > 0,
    `${fmt} in ${elapsed} ms; Retry-After ${retryAfter}`,
  );
  // Identical searches in the window: the first at once, the repeats in one later entry with their count.
  // On a loaded machine the 150 reads can outlast one window, so they may fall into several: each
  // window's first search is recorded at once and its repeats in one later entry pointing at it.
  // One entry per request (the bug) would give about as many windows as answered reads.
  const immediately = (await auditEntries(store, before, email)).filter((e) => e.action === "events.search");
  await sleep(READ_AUDIT_WINDOW_S * 1000 + 1500);
  const answered = statuses.get(200) ?? 0;
  const summarised = (rows: AuditRow[]) =>
    rows.reduce((n, e) => n + (e.action === "events.search" ? 1 : (JSON.parse(e.attributes ?? "{}").repeats ?? 0)), 0);
  let audit: AuditRow[] = [];
  for (let i = 0; i < 30; i++) {
    audit = (await auditEntries(store, before, email)).filter((e) => e.action.startsWith("events.search"));
    if (summarised(audit) >= answered) break;
    await sleep(200);
  }
  const first = audit.filter((e) => e.action === "events.search");
  const repeats = audit.filter((e) => e.action === "events.search.repeated");
  const attrs = repeats.map((e) => JSON.parse(e.attributes ?? "{}") as { repeats?: number; repeatOf?: number });
  const counted = attrs.reduce((n, x) => n + (x.repeats ?? 0), 0);
  const firstSeqs = new Set(first.map((e) => e.seq));
  const pointedAt = attrs.map((x) => x.repeatOf);
  const maxWindows = Math.ceil(elapsed / (READ_AUDIT_WINDOW_S * 1000)) + 1;
  c.check(
    "7 unbounded meta-audit growth from reads: identical searches are recorded once at once, the repeats in one later entry with their count",
    first.length >= 1 &&
      first.length <= maxWindows &&
      immediately.length === first.length &&
      repeats.length >= 1 &&
      repeats.length <= first.length &&
      counted === answered - first.length &&
      pointedAt.every((s) => s !== undefined && firstSeqs.has(s)) &&
      new Set(pointedAt).size === pointedAt.length,
    `${answered} answered in ${elapsed} ms (window ${READ_AUDIT_WINDOW_S} s, at most ${maxWindows} windows); firsts at once ${immediately.length}; after the window: ${audit.map((e) => `${e.action}#${e.seq}${e.attributes && e.action !== "events.search" ? ` ${e.attributes}` : ""}`).join(", ")}`,
  );
  return fmt;
}

// ── 3: X-Forwarded-For without a trusted proxy ───────────────────────────

async function forwardedForIgnored(c: Checks, a: Server, store: Store): Promise<void> {
  const before = await maxSeq(store);
  const email = `nobody-xff-${crypto.randomBytes(3).toString("hex")}@example.test`;
  const r = await signInAttempt(a.url, {
    email,
    password: "wrong-password-xx",
    encoding: "form",
    headers: { "x-forwarded-for": "203.0.113.66" },
  });
  let audit: AuditRow[] = [];
  for (let i = 0; i < 20 && !audit.length; i++) {
    audit = await auditEntries(store, before, email);
    if (!audit.length) await sleep(100);
  }
  c.check(
    "3 X-Forwarded-For trusted by default: a client's X-Forwarded-For is not the IP written into the meta-audit",
    r.status === 401 && audit.length === 1 && audit[0]!.requester_ip === "127.0.0.1",
    `${r.status}; audit ${audit.map((e) => `${e.action} ${e.outcome} ip=${e.requester_ip}`).join(", ") || "none"}`,
  );
}

// ── 1: the sign-in throttle ───────────────────────────────────────────────

async function throttleBypass(c: Checks, a: Server, store: Store): Promise<number> {
  // By now 127.0.0.1 has 1 failure (the X-Forwarded-For check above).
  const email = `victim-${crypto.randomBytes(3).toString("hex")}@example.test`;
  const password = `pw-${crypto.randomBytes(9).toString("hex")}`;
  createUser(store, email, "admin", password);
  const form: number[] = [];
  for (let i = 0; i < 5; i++)
    form.push((await signInAttempt(a.url, { email, password: `guess-${i}-xxxxxxxx`, encoding: "form" })).status);
  const sixth = await signInAttempt(a.url, { email, password: "guess-6-xxxxxxxx", encoding: "form" });
  c.check(
    "1 sign-in throttle: after 5 failed form sign-ins the 6th form attempt gets 429 with Retry-After",
    form.every((s) => s === 401) && sixth.status === 429 && Number(sixth.retryAfter) > 0,
    `form attempts ${form.join(",")}; 6th ${sixth.status} Retry-After ${sixth.retryAfter}`,
  );
  const jsonWrong = await signInAttempt(a.url, { email, password: "guess-7-xxxxxxxx", encoding: "json" });
  const jsonRight = await signInAttempt(a.url, { email, password, encoding: "json" });
  c.check(
    "1 sign-in throttle bypass: JSON-encoded attempts on a throttled account get 429 too, and a correct JSON password does not sign in",
    jsonWrong.status === 429 && jsonRight.status === 429 && !jsonRight.signedIn,
    `JSON wrong ${jsonWrong.status}; JSON correct ${jsonRight.status}, session cookie ${jsonRight.signedIn}`,
  );

  // Ten guesses at once at a fresh account (127.0.0.1 is at 6 failures: room for 5 more below its 20).
  const target = `parallel-${crypto.randomBytes(3).toString("hex")}@example.test`;
  const before = await maxSeq(store);
  const results = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      signInAttempt(a.url, { email: target, password: `parallel-${i}-xxxxxxx`, encoding: i % 2 ? "json" : "form" }),
    ),
  );
  const processed = results.filter((r) => r.status !== 429).length;
  await sleep(300);
  const failures = (await auditEntries(store, before, target)).filter(
    (e) => e.action === "sign-in" && e.outcome === "failure",
  );
  c.check(
    "1 sign-in throttle bypass: of 10 parallel wrong guesses at most 5 are checked (the limit holds under concurrency)",
    processed <= 5 && failures.length <= 5 && results.every((r) => r.status === 401 || r.status === 429),
    `${processed} processed (${results.map((r) => r.status).join(",")}); ${failures.length} failures recorded`,
  );

  // The per-IP budget (20 failures in 15 minutes) counts every attempt from this address.
  const spent = 1 + 5 + processed;
  const statuses: number[] = [];
  for (let i = spent; i < 20; i++) {
    const r = await signInAttempt(a.url, {
      email: `spray-${i}-${crypto.randomBytes(2).toString("hex")}@example.test`,
      password: "wrong-password-xx",
      encoding: i % 2 ? "json" : "form",
      headers: { "x-forwarded-for": `198.51.100.${i}` },
    });
    statuses.push(r.status);
  }
  const over = await signInAttempt(a.url, {
    email: `spray-over-${crypto.randomBytes(2).toString("hex")}@example.test`,
    password: "wrong-password-xx",
    encoding: "json",
    headers: { "x-forwarded-for": "198.51.100.250" },
  });
  c.check(
    "3 X-Forwarded-For trusted by default: a new X-Forwarded-For per attempt does not escape the per-IP throttle (21st failure → 429)",
    statuses.every((s) => s === 401) && over.status === 429,
    `${statuses.length} sprayed attempts ${[...new Set(statuses)].join("/")}; the next ${over.status}`,
  );
  return processed;
}

// ── 1 + 3 + 10 behind a proxy, two instances on one PostgreSQL ────────────

async function behindAProxyOnPostgres(c: Checks, store: Store): Promise<number> {
  const [portB, portC] = [await freePort(), await freePort()];
  const common = {
    LEDGERLINE_TRUST_PROXY: "127.0.0.1",
    NEXTAUTH_SECRET: crypto.randomBytes(32).toString("base64"),
  };
  let started = 0;
  const b = await startServer(store, { ...common, NEXTAUTH_URL: `https://127.0.0.1:${portB}` }, portB);
  started++;
  let cServer: Server | null = null;
  try {
    cServer = await startServer(
      store,
      { ...common, NEXTAUTH_URL: `https://127.0.0.1:${portC}`, LEDGERLINE_VERIFY_INTERVAL: "0" },
      portC,
    );
    started++;
    const login = await fetchRetry(`${b.url}/login`);
    await login.text();
    const hsts = login.headers.get("strict-transport-security") ?? "";
    c.check(
      "10 no security headers: Strict-Transport-Security when NEXTAUTH_URL is https",
      /max-age=\d{7,}/.test(hsts),
      hsts || "absent",
    );

    // A proxy at 127.0.0.1 appends the address it saw: that one is the client.
    const before = await maxSeq(store);
    const email = `nobody-proxied-${crypto.randomBytes(3).toString("hex")}@example.test`;
    await signInAttempt(b.url, {
      email,
      password: "wrong-password-xx",
      headers: { "x-forwarded-for": "192.0.2.1, 203.0.113.7" },
    });
    let audit: AuditRow[] = [];
    for (let i = 0; i < 20 && !audit.length; i++) {
      audit = await auditEntries(store, before, email);
      if (!audit.length) await sleep(100);
    }
    c.check(
      "3 X-Forwarded-For: with LEDGERLINE_TRUST_PROXY=127.0.0.1 the address the trusted proxy saw is recorded, not what the client claimed before it",
      audit.length === 1 && audit[0]!.requester_ip === "203.0.113.7",
      audit.map((e) => `${e.action} ${e.outcome} ip=${e.requester_ip}`).join(", ") || "no entry",
    );

    // One account's budget, spent across two instances.
    const target = `two-instances-${crypto.randomBytes(3).toString("hex")}@example.test`;
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) {
      const via = i % 2 ? cServer : b;
      const r = await signInAttempt(via.url, {
        email: target,
        password: `guess-${i}-xxxxxxxx`,
        headers: { "x-forwarded-for": `203.0.113.${20 + i}` },
      });
      statuses.push(`${via === b ? "B" : "C"}${r.status}`);
    }
    const sixthB = await signInAttempt(b.url, { email: target, password: "guess-x-xxxxxxxx" });
    const sixthC = await signInAttempt(cServer.url, { email: target, password: "guess-y-xxxxxxxx" });
    c.check(
      "1 sign-in throttle: the limit holds across two instances on one PostgreSQL (5 failures in all, then 429 on both)",
      statuses.every((s) => s.endsWith("401")) && sixthB.status === 429 && sixthC.status === 429,
      `${statuses.join(" ")}; 6th on B ${sixthB.status}, on C ${sixthC.status}`,
    );
    log(`security-auth: two instances on PostgreSQL at ${b.url} and ${cServer.url}`);
  } catch (e) {
    console.error(`--- server B log (last 30 lines) ---\n${b.log.slice(-30).join("\n")}`);
    if (cServer) console.error(`--- server C log (last 30 lines) ---\n${cServer.log.slice(-30).join("\n")}`);
    throw e;
  } finally {
    if (cServer) await stopServer(cServer);
    await stopServer(b);
  }
  return started;
}
