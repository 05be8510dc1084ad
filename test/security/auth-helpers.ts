// What the security-auth suite needs to act like a client of a real server:
// a cookie jar, next-auth's CSRF dance for credentials sign-in (form or JSON
// encoded, as any script can send it) and sign-out, a user made through the
// CLI, and read-only queries of what the server committed to its store.
import crypto from "node:crypto";
import path from "node:path";
import { readStore } from "../support/raw-store.ts";
import { freePort } from "../support/free-port.ts";
import { isStaleSocket, runCli, startServer, stopServer, type Server, type Store } from "../stress/support.ts";

/** fetch, once more when a kept-alive socket was closed under the request (it was never processed). */
export async function fetchRetry(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    if (!isStaleSocket(e)) throw e;
    return fetch(url, init);
  }
}

/** The cookies a browser would keep for one origin (no paths, no expiry clock: enough for these checks). */
export class Jar {
  readonly cookies = new Map<string, string>();

  absorb(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";");
      const i = pair.indexOf("=");
      if (i < 1) continue;
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const gone = !value || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /expires=thu, 01 jan 1970/i.test(a));
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  /** The session cookie (`next-auth.session-token`, `__Secure-` prefixed on https) as `name=value`, if any. */
  session(): string | null {
    for (const [k, v] of this.cookies) if (/(^|-)next-auth\.session-token$/.test(k)) return `${k}=${v}`;
    return null;
  }

  copy(): Jar {
    const j = new Jar();
    for (const [k, v] of this.cookies) j.cookies.set(k, v);
    return j;
  }
}

export type Attempt = { status: number; url: string | null; retryAfter: string | null; signedIn: boolean; jar: Jar };

/**
 * One credentials sign-in through next-auth's own endpoint, encoded as a form
 * (what the login page sends) or as JSON (what next-auth also accepts).
 */
export async function signInAttempt(
  base: string,
  o: {
    email: string;
    password: string;
    encoding?: "form" | "json";
    callbackUrl?: string;
    headers?: Record<string, string>;
    jar?: Jar;
  },
): Promise<Attempt> {
  const jar = o.jar ?? new Jar();
  const extra = o.headers ?? {};
  const c = await fetchRetry(`${base}/api/auth/csrf`, { headers: { ...extra, cookie: jar.header() } });
  jar.absorb(c);
  const { csrfToken } = (await c.json()) as { csrfToken: string };
  const fields: Record<string, string> = {
    email: o.email,
    password: o.password,
    csrfToken,
    json: "true",
    ...(o.callbackUrl !== undefined ? { callbackUrl: o.callbackUrl } : {}),
  };
  const json = o.encoding === "json";
  const r = await fetchRetry(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: {
      ...extra,
      "content-type": json ? "application/json" : "application/x-www-form-urlencoded",
      cookie: jar.header(),
    },
    body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
  jar.absorb(r);
  const text = await r.text();
  let url: string | null = null;
  try {
    url = (JSON.parse(text) as { url?: string }).url ?? null;
  } catch {
    url = r.headers.get("location");
  }
  return { status: r.status, url, retryAfter: r.headers.get("retry-after"), signedIn: jar.session() !== null, jar };
}

/** A form sign-in as the login page sends it; the session's Cookie header, or an error naming the answer. */
export async function signInCookie(base: string, email: string, password: string): Promise<string> {
  const a = await signInAttempt(base, { email, password, headers: { origin: base } });
  if (!a.signedIn) throw new Error(`sign-in of ${email} failed (${a.status})`);
  return a.jar.header();
}

export type JsonAnswer = { status: number; headers: Headers; body: Record<string, unknown>; text: string };

/** One request bounded to 60 s, its answer read as JSON (`{ text }` when it is not JSON). */
export async function callJson(base: string, p: string, init: RequestInit = {}): Promise<JsonAnswer> {
  const r = await fetchRetry(`${base}${p}`, { ...init, signal: AbortSignal.timeout(60_000) }).catch((e: unknown) => {
    throw new Error(`${p}: ${(e as Error).message} (${String((e as Error).cause ?? "")})`, { cause: e });
  });
  const text = await r.text();
  try {
    return { status: r.status, headers: r.headers, body: JSON.parse(text) as Record<string, unknown>, text };
  } catch {
    return { status: r.status, headers: r.headers, body: { text }, text };
  }
}

/** next-auth's sign-out (POST with the CSRF token), as the dashboard's button does it. */
export async function signOut(base: string, jar: Jar): Promise<number> {
  const c = await fetchRetry(`${base}/api/auth/csrf`, { headers: { cookie: jar.header() } });
  jar.absorb(c);
  const { csrfToken } = (await c.json()) as { csrfToken: string };
  const r = await fetchRetry(`${base}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.header() },
    body: new URLSearchParams({ csrfToken, json: "true" }).toString(),
  });
  jar.absorb(r);
  await r.text();
  return r.status;
}

/** GET /api/v1/me with exactly this cookie header: who the server thinks the caller is. */
export async function me(base: string, cookie: string): Promise<number> {
  const r = await fetchRetry(`${base}/api/v1/me`, { headers: { cookie } });
  await r.text();
  return r.status;
}

/** A password user made through the CLI, as an operator would. */
export function createUser(store: Store, email: string, role: string, password: string): void {
  const r = runCli(
    store,
    ["users", "create", "--email", email, "--role", role, "--password-stdin", "--json"],
    password,
  );
  if (r.status !== 0) throw new Error(`users create ${email} failed (${r.status}): ${r.stderr}${r.stdout}`);
}

/** Read-only SQL on the server's store (SQLite file or PostgreSQL), `?` placeholders. */
export async function queryStore<T>(store: Store, sql: string, params: unknown[] = []): Promise<T[]> {
  const where =
    store.dialect === "sqlite"
      ? { sqliteFile: path.join(store.dataDir, "ledgerline.db") }
      : { postgresUrl: store.databaseUrl! };
  return readStore<T>(where, sql, params);
}

export type AuditRow = {
  seq: number;
  action: string;
  outcome: string;
  requester_id: string;
  requester_ip: string | null;
  reason: string | null;
  attributes: string | null;
};

/** Meta-audit entries (source ledgerline:dashboard) after `afterSeq`, optionally of one requester. */
export async function auditEntries(store: Store, afterSeq: number, requester?: string): Promise<AuditRow[]> {
  const rows = await queryStore<AuditRow>(
    store,
    `SELECT seq, action, outcome, requester_id, requester_ip, reason, attributes FROM entries
     WHERE seq > ? AND source = 'ledgerline:dashboard'${requester ? " AND requester_id = ?" : ""} ORDER BY seq`,
    requester ? [afterSeq, requester] : [afterSeq],
  );
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export async function maxSeq(store: Store): Promise<number> {
  const [r] = await queryStore<{ n: number | string | null }>(store, "SELECT MAX(seq) AS n FROM entries");
  return Number(r?.n ?? 0);
}

/**
 * Runs `body` against a production server (`LEDGERLINE_ENV=production`, this session secret,
 * its own URL) on a free port, then stops it; a failure carries the server log's last lines.
 * Returns the stopped server (its log) and how long it took to start.
 */
export async function withProductionServer(
  store: Store,
  secret: string,
  env: Record<string, string>,
  body: (server: Server) => Promise<void>,
): Promise<{ server: Server; startMs: number }> {
  const t0 = Date.now();
  const port = await freePort();
  const server = await startServer(
    store,
    { LEDGERLINE_ENV: "production", NEXTAUTH_SECRET: secret, NEXTAUTH_URL: `http://127.0.0.1:${port}`, ...env },
    port,
  );
  const startMs = Date.now() - t0;
  try {
    await body(server);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(
      `${(e as Error).message}${cause ? ` (${cause.code ?? ""} ${cause.message ?? ""})` : ""}\nserver log:\n${server.log.slice(-15).join("\n")}`,
      { cause: e },
    );
  } finally {
    await stopServer(server);
  }
  return { server, startMs };
}

/** A valid access event from the suites' checkout service (a fresh id unless `over` names one). */
export function securityEvent(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `sec-${crypto.randomBytes(6).toString("hex")}`,
    timestamp: new Date().toISOString(),
    eventType: "read",
    requester: { id: "spiffe://security.example/ns/shop/sa/checkout" },
    target: { id: "db://payments-pg/cards", service: "payments", type: "db" },
    action: "SELECT cards",
    outcome: "success",
    ...over,
  };
}
