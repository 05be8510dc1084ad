import os from "node:os";
import path from "node:path";
import { z } from "zod";

// Every setting Ledgerline reads, in one place, validated once. The README's
// configuration table is written from this file; keep them in step.

const intFrom = (name: string, def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === "") return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `${name} must be an integer from ${min} to ${max} (got "${v}")` });
        return z.NEVER;
      }
      return n;
    });

const envSchema = z.object({
  PORT: intFrom("PORT", 3000, 1, 65535),
  LEDGERLINE_DATA_DIR: z.string().optional(),
  DATABASE_URL: z.string().optional(),
  LEDGERLINE_DEMO: z.enum(["on", "off"], { message: 'LEDGERLINE_DEMO must be "on" or "off"' }).optional().default("on"),
  LEDGERLINE_ORIGIN: z
    .string()
    .regex(/^[\x21-\x7e]+$/, "LEDGERLINE_ORIGIN must be printable ASCII without spaces")
    .optional()
    .default("localhost/ledgerline"),
  LEDGERLINE_KEY_NAME: z
    .string()
    .regex(/^[\x21-\x2a\x2c-\x7e]+$/, "LEDGERLINE_KEY_NAME must be printable ASCII without spaces or '+'")
    .optional(),
  LEDGERLINE_SIGNING_KEY: z.string().optional(),
  LEDGERLINE_CHECKPOINT_EVERY: intFrom("LEDGERLINE_CHECKPOINT_EVERY", 1000, 1, 10_000_000),
  LEDGERLINE_CHECKPOINT_INTERVAL: intFrom("LEDGERLINE_CHECKPOINT_INTERVAL", 60, 1, 86_400),
  LEDGERLINE_VERIFY_INTERVAL: intFrom("LEDGERLINE_VERIFY_INTERVAL", 300, 0, 86_400),
  LEDGERLINE_ALERT_WEBHOOK: z
    .url({ protocol: /^https?$/, message: "LEDGERLINE_ALERT_WEBHOOK must be an http(s) URL" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LEDGERLINE_MAX_BODY_BYTES: intFrom("LEDGERLINE_MAX_BODY_BYTES", 5 * 1024 * 1024, 1024, 256 * 1024 * 1024),
  LEDGERLINE_MAX_BATCH: intFrom("LEDGERLINE_MAX_BATCH", 1000, 1, 10_000),
  LEDGERLINE_MAX_PENDING_EVENTS: intFrom("LEDGERLINE_MAX_PENDING_EVENTS", 5000, 1, 10_000_000),
  LEDGERLINE_MAX_INFLIGHT_REQUESTS: intFrom("LEDGERLINE_MAX_INFLIGHT_REQUESTS", 64, 1, 100_000),
  // Worker threads for ingest preparation (lib/server/workers/pool.ts); default: one per core, at most 8.
  LEDGERLINE_WORKERS: intFrom("LEDGERLINE_WORKERS", Math.max(1, Math.min(8, os.availableParallelism())), 0, 64),
  LEDGERLINE_MAX_EVENT_LOOP_LAG_MS: intFrom("LEDGERLINE_MAX_EVENT_LOOP_LAG_MS", 250, 10, 60_000),
  LEDGERLINE_RATE_LIMIT: intFrom("LEDGERLINE_RATE_LIMIT", 20_000, 0, 10_000_000),
  LEDGERLINE_RATE_BURST: intFrom("LEDGERLINE_RATE_BURST", 0, 0, 100_000_000),
  LEDGERLINE_ENV: z
    .enum(["development", "production"], { message: 'LEDGERLINE_ENV must be "development" or "production"' })
    .optional()
    .default("development"),
  LEDGERLINE_OIDC_ISSUER: z.url({ message: "LEDGERLINE_OIDC_ISSUER must be a URL" }).optional(),
  LEDGERLINE_OIDC_CLIENT_ID: z.string().optional(),
  LEDGERLINE_OIDC_CLIENT_SECRET: z.string().optional(),
  LEDGERLINE_OIDC_NAME: z.string().optional().default("Single sign-on"),
  LEDGERLINE_OIDC_ROLE_CLAIM: z.string().optional().default("groups"),
  LEDGERLINE_OIDC_ROLE_MAP: z.string().optional(),
  LEDGERLINE_OIDC_SCOPE: z.string().optional().default("openid email profile"),
});

export type Database = { dialect: "sqlite"; file: string; url: string } | { dialect: "postgres"; url: string };

export type Config = {
  port: number;
  dataDir: string;
  database: Database;
  demo: boolean;
  origin: string;
  keyName: string;
  signingKey: string | undefined;
  checkpointEvery: number;
  checkpointIntervalMs: number;
  /** Incremental integrity verification every this many ms; 0 disables the schedule. */
  verifyIntervalMs: number;
  /** Where a signed JSON alert is POSTed when verification fails. */
  alertWebhook: string | undefined;
  maxBodyBytes: number;
  maxBatch: number;
  /** Events waiting for the writer past which ingest answers 503 (load shedding). */
  maxPendingEvents: number;
  /** Ingest requests served at once past which ingest answers 503 (load shedding). */
  maxInflightRequests: number;
  /** Worker threads that scan, validate and canonicalize ingest bodies; 0 = in-process. */
  workers: number;
  /** Smoothed event-loop lag past which ingest answers 503 (load shedding). */
  maxEventLoopLagMs: number;
  /** Events per second per ingest key; 0 disables the limit. */
  rateLimit: number;
  rateBurst: number;
  /** LEDGERLINE_ENV=production: secrets are mandatory. */
  production: boolean;
  oidc: OidcConfig | null;
};

export type OidcConfig = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  name: string;
  roleClaim: string;
  /** claim value → role, in order; "*" matches any signed-in identity. */
  roleMap: Array<{ value: string; role: "admin" | "auditor" | "analyst" }>;
  scope: string;
};

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      "Invalid configuration:\n" + parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`).join("\n"),
    );
  }
  const e = parsed.data;
  const dataDir = path.resolve(/*turbopackIgnore: true*/ e.LEDGERLINE_DATA_DIR ?? "data");
  return {
    port: e.PORT,
    dataDir,
    database: parseDatabaseUrl(e.DATABASE_URL, dataDir),
    demo: e.LEDGERLINE_DEMO === "on",
    origin: e.LEDGERLINE_ORIGIN,
    keyName: e.LEDGERLINE_KEY_NAME ?? e.LEDGERLINE_ORIGIN.replace(/\+/g, "-"),
    signingKey: e.LEDGERLINE_SIGNING_KEY || undefined,
    checkpointEvery: e.LEDGERLINE_CHECKPOINT_EVERY,
    checkpointIntervalMs: e.LEDGERLINE_CHECKPOINT_INTERVAL * 1000,
    verifyIntervalMs: e.LEDGERLINE_VERIFY_INTERVAL * 1000,
    alertWebhook: e.LEDGERLINE_ALERT_WEBHOOK || undefined,
    maxBodyBytes: e.LEDGERLINE_MAX_BODY_BYTES,
    maxBatch: e.LEDGERLINE_MAX_BATCH,
    maxPendingEvents: e.LEDGERLINE_MAX_PENDING_EVENTS,
    maxInflightRequests: e.LEDGERLINE_MAX_INFLIGHT_REQUESTS,
    workers: e.LEDGERLINE_WORKERS,
    maxEventLoopLagMs: e.LEDGERLINE_MAX_EVENT_LOOP_LAG_MS,
    rateLimit: e.LEDGERLINE_RATE_LIMIT,
    rateBurst: e.LEDGERLINE_RATE_BURST || e.LEDGERLINE_RATE_LIMIT * 2,
    production: e.LEDGERLINE_ENV === "production",
    oidc: parseOidc(e),
  };
}

function parseOidc(e: z.infer<typeof envSchema>): OidcConfig | null {
  if (!e.LEDGERLINE_OIDC_ISSUER) return null;
  if (!e.LEDGERLINE_OIDC_CLIENT_ID || !e.LEDGERLINE_OIDC_CLIENT_SECRET) {
    throw new ConfigError(
      "LEDGERLINE_OIDC_ISSUER is set, so LEDGERLINE_OIDC_CLIENT_ID and LEDGERLINE_OIDC_CLIENT_SECRET are required too.",
    );
  }
  const roleMap: OidcConfig["roleMap"] = [];
  for (const pair of (e.LEDGERLINE_OIDC_ROLE_MAP ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(.+)=(admin|auditor|analyst)$/.exec(pair);
    if (!m) throw new ConfigError(`LEDGERLINE_OIDC_ROLE_MAP: "${pair}" is not <claim value>=<admin|auditor|analyst>.`);
    roleMap.push({ value: m[1]!.trim(), role: m[2] as "admin" | "auditor" | "analyst" });
  }
  if (!roleMap.length) {
    throw new ConfigError(
      "LEDGERLINE_OIDC_ROLE_MAP is required with single sign-on, e.g. ledgerline-admins=admin,ledgerline-auditors=auditor,*=analyst.",
    );
  }
  return {
    issuer: e.LEDGERLINE_OIDC_ISSUER.replace(/\/$/, ""),
    clientId: e.LEDGERLINE_OIDC_CLIENT_ID,
    clientSecret: e.LEDGERLINE_OIDC_CLIENT_SECRET,
    name: e.LEDGERLINE_OIDC_NAME,
    roleClaim: e.LEDGERLINE_OIDC_ROLE_CLAIM,
    roleMap,
    scope: e.LEDGERLINE_OIDC_SCOPE,
  };
}

/** `file:` / `sqlite:` paths (relative to the working directory) or `postgres(ql)://` URLs. */
export function parseDatabaseUrl(url: string | undefined, dataDir: string): Database {
  if (!url) {
    const file = path.join(dataDir, "ledgerline.db");
    return { dialect: "sqlite", file, url: `file:${file}` };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: "postgres", url };
  const m = /^(?:file|sqlite):(?:\/\/)?(.+)$/.exec(url);
  if (m?.[1]) {
    const file = path.resolve(/*turbopackIgnore: true*/ m[1]);
    return { dialect: "sqlite", file, url: `file:${file}` };
  }
  throw new ConfigError(
    `DATABASE_URL must start with file:, sqlite: or postgresql:// (got "${url.replace(/:[^:@/]*@/, ":***@")}")`,
  );
}
