import net from "node:net";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { normalizeIp } from "@/lib/schemas/ip-address.ts";
import { parseWitnessConfig, WitnessConfigError, type WitnessConfig } from "./cosigning/config.ts";
import { parseLogPins, type LogPins } from "./integrity/pinned-keys.ts";

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
  // No default here: it depends on LEDGERLINE_ENV (see loadConfig).
  LEDGERLINE_DEMO: z.enum(["on", "off"], { message: 'LEDGERLINE_DEMO must be "on" or "off"' }).optional(),
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
  LEDGERLINE_CHECKPOINT_INTERVAL: intFrom("LEDGERLINE_CHECKPOINT_INTERVAL", 10, 1, 86_400),
  LEDGERLINE_SIEM_MAX_ATTEMPTS: intFrom("LEDGERLINE_SIEM_MAX_ATTEMPTS", 12, 1, 1000),
  LEDGERLINE_SIEM_BATCH: intFrom("LEDGERLINE_SIEM_BATCH", 500, 1, 5000),
  LEDGERLINE_ALERT_EVALUATE_EVERY: intFrom("LEDGERLINE_ALERT_EVALUATE_EVERY", 30, 0, 3600),
  LEDGERLINE_SMTP_URL: z
    .url({ protocol: /^smtps?$/, message: "LEDGERLINE_SMTP_URL must be smtp://[user:pass@]host:port or smtps://…" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LEDGERLINE_ALERT_FROM: z.string().optional(),
  LEDGERLINE_WITNESSES: z.string().optional(),
  LEDGERLINE_WITNESS_QUORUM: z.string().optional(),
  LEDGERLINE_WITNESS_POLICY: z.string().optional(),
  LEDGERLINE_TRUST_FILE: z.string().optional(),
  LEDGERLINE_LOG_KEYS: z.string().optional(),
  LEDGERLINE_WITNESS_ALERT_AFTER: intFrom("LEDGERLINE_WITNESS_ALERT_AFTER", 600, 1, 7 * 86_400),
  LEDGERLINE_WITNESS_TIMEOUT: intFrom("LEDGERLINE_WITNESS_TIMEOUT", 10, 1, 300),
  LEDGERLINE_VERIFY_INTERVAL: intFrom("LEDGERLINE_VERIFY_INTERVAL", 300, 0, 86_400),
  LEDGERLINE_VERIFY_COVERAGE: intFrom("LEDGERLINE_VERIFY_COVERAGE", 24, 1, 24 * 366),
  LEDGERLINE_PRUNE_INTERVAL: intFrom("LEDGERLINE_PRUNE_INTERVAL", 24, 0, 24 * 24),
  LEDGERLINE_ARCHIVE_DIR: z.string().optional(),
  LEDGERLINE_ALERT_WEBHOOK: z
    .url({ protocol: /^https?$/, message: "LEDGERLINE_ALERT_WEBHOOK must be an http(s) URL" })
    .optional()
    .or(z.literal("").transform(() => undefined)),
  LEDGERLINE_TILES_PUBLIC: z
    .enum(["0", "1"], { message: 'LEDGERLINE_TILES_PUBLIC must be "0" or "1"' })
    .optional()
    .default("0"),
  LEDGERLINE_MAX_BODY_BYTES: intFrom("LEDGERLINE_MAX_BODY_BYTES", 5 * 1024 * 1024, 1024, 256 * 1024 * 1024),
  LEDGERLINE_MAX_BATCH: intFrom("LEDGERLINE_MAX_BATCH", 1000, 1, 10_000),
  LEDGERLINE_MAX_PENDING_EVENTS: intFrom("LEDGERLINE_MAX_PENDING_EVENTS", 5000, 1, 10_000_000),
  LEDGERLINE_MAX_INFLIGHT_REQUESTS: intFrom("LEDGERLINE_MAX_INFLIGHT_REQUESTS", 64, 1, 100_000),
  // Worker threads for ingest preparation (lib/server/workers/pool.ts); default: one per core, at most 8.
  LEDGERLINE_WORKERS: intFrom("LEDGERLINE_WORKERS", Math.max(1, Math.min(8, os.availableParallelism())), 0, 64),
  LEDGERLINE_MAX_EVENT_LOOP_LAG_MS: intFrom("LEDGERLINE_MAX_EVENT_LOOP_LAG_MS", 250, 10, 60_000),
  LEDGERLINE_MAX_PENDING_BUNDLES: intFrom("LEDGERLINE_MAX_PENDING_BUNDLES", 3, 1, 1000),
  LEDGERLINE_RATE_LIMIT: intFrom("LEDGERLINE_RATE_LIMIT", 20_000, 0, 10_000_000),
  LEDGERLINE_RATE_BURST: intFrom("LEDGERLINE_RATE_BURST", 0, 0, 100_000_000),
  LEDGERLINE_TRUST_PROXY: z.string().optional(),
  LEDGERLINE_READ_RATE_LIMIT: intFrom("LEDGERLINE_READ_RATE_LIMIT", 300, 0, 1_000_000),
  LEDGERLINE_READ_RATE_BURST: intFrom("LEDGERLINE_READ_RATE_BURST", 0, 0, 1_000_000),
  LEDGERLINE_READ_AUDIT_WINDOW: intFrom("LEDGERLINE_READ_AUDIT_WINDOW", 60, 0, 3600),
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
  /** SIEM streaming: failed attempts in a row before a destination is parked; records per batch. */
  siem: { maxAttempts: number; batch: number };
  /** Alert rules (lib/server/alerts): evaluation period (0: never by timer), SMTP relay and sender for email channels. */
  alerts: { evaluateEveryMs: number; smtpUrl: string | undefined; from: string };
  /** The witnesses that cosign checkpoints and their quorum (lib/server/cosigning/config.ts); null: none. */
  witnesses: WitnessConfig | null;
  /** The log keys the integrity center pins (lib/server/integrity/pinned-keys.ts); null: the first key recorded. */
  logPins: LogPins | null;
  /** Incremental integrity verification every this many ms; 0 disables the schedule. */
  verifyIntervalMs: number;
  /** Every entry is re-hashed from its columns at least once per this many ms (the rolling sample's period). */
  verifyCoverageMs: number;
  /** The prune job (docs/retention.md) every this many ms; 0 disables the schedule (the CLI and the admin page still prune). */
  pruneIntervalMs: number;
  /** Where policies with archive on write their monthly signed bundles before pruning (docs/retention.md); null: not configured. */
  archiveDir: string | null;
  /** Where a signed JSON alert is POSTed when verification fails. */
  alertWebhook: string | undefined;
  /** Entry bundles of the tiles API (/tlog/tile/entries/…) served without a read token. */
  tilesPublic: boolean;
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
  /** Bundles one user may have queued or building at once (429 beyond). */
  maxPendingBundles: number;
  /** Events per second per ingest key; 0 disables the limit. */
  rateLimit: number;
  rateBurst: number;
  /** Which forwarding hops to believe when deriving a client's IP (lib/server/auth/client-ip.ts). */
  trustProxy: TrustProxy;
  /** Authenticated API reads per minute per principal (429 beyond); 0 disables. */
  readRateLimit: number;
  readRateBurst: number;
  /** Identical reads by one principal within this many ms are recorded once plus one summary of the repeats; 0 records each. */
  readAuditWindowMs: number;
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

/**
 * LEDGERLINE_TRUST_PROXY. `none`: forwarding headers are ignored and the client
 * is the TCP peer. `hops`: that many proxies in front append to X-Forwarded-For,
 * so the client is the address that many entries left of the peer. `networks`:
 * proxies are the peers and X-Forwarded-For entries inside these CIDRs; the
 * client is the rightmost address outside them.
 */
export type TrustProxy =
  | { kind: "none" }
  | { kind: "hops"; hops: number }
  | { kind: "networks"; networks: Array<{ address: string; prefix: number; family: "ipv4" | "ipv6" }> };

export class ConfigError extends Error {}

/** Parses LEDGERLINE_TRUST_PROXY: unset/`0`/`false`/`off`, a hop count 1–10, or a comma-separated list of IPs/CIDRs. */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const v = (raw ?? "").trim();
  if (v === "" || /^(0|false|off|none)$/i.test(v)) return { kind: "none" };
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > 10)
      throw new ConfigError(`LEDGERLINE_TRUST_PROXY: ${v} hops is more proxies than any deployment has (1–10).`);
    return { kind: "hops", hops };
  }
  const networks: Array<{ address: string; prefix: number; family: "ipv4" | "ipv6" }> = [];
  for (const item of v.split(",").map((x) => x.trim())) {
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(item);
    const address = m ? normalizeIp(m[1]!) : null;
    const family = address === null ? null : net.isIPv4(address) ? "ipv4" : "ipv6";
    const max = family === "ipv4" ? 32 : 128;
    const prefix = m?.[2] === undefined ? max : Number(m[2]);
    if (!address || !family || prefix > max) {
      throw new ConfigError(
        `LEDGERLINE_TRUST_PROXY: "${item}" is not an IP address or CIDR (e.g. 10.0.0.0/8, ::1); give a hop count (e.g. 1) or a comma-separated list.`,
      );
    }
    networks.push({ address, prefix, family });
  }
  return { kind: "networks", networks };
}

/** Parses the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      "Invalid configuration:\n" + parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`).join("\n"),
    );
  }
  const e = parsed.data;
  const production = e.LEDGERLINE_ENV === "production";
  // Demo users get generated passwords and an ingest key printed to the log: never in
  // production, where that log is collected and the store is real.
  if (production && e.LEDGERLINE_DEMO === "on") {
    throw new ConfigError(
      "LEDGERLINE_DEMO=on with LEDGERLINE_ENV=production: demo data (users whose passwords and an ingest key are printed to the log) is never seeded in production. " +
        "Unset LEDGERLINE_DEMO (production starts empty), or run the demo without LEDGERLINE_ENV=production.",
    );
  }
  const dataDir = path.resolve(/*turbopackIgnore: true*/ e.LEDGERLINE_DATA_DIR ?? "data");
  return {
    port: e.PORT,
    dataDir,
    database: parseDatabaseUrl(e.DATABASE_URL, dataDir),
    demo: (e.LEDGERLINE_DEMO ?? (production ? "off" : "on")) === "on",
    origin: e.LEDGERLINE_ORIGIN,
    keyName: e.LEDGERLINE_KEY_NAME ?? e.LEDGERLINE_ORIGIN.replace(/\+/g, "-"),
    signingKey: e.LEDGERLINE_SIGNING_KEY || undefined,
    checkpointEvery: e.LEDGERLINE_CHECKPOINT_EVERY,
    checkpointIntervalMs: e.LEDGERLINE_CHECKPOINT_INTERVAL * 1000,
    siem: { maxAttempts: e.LEDGERLINE_SIEM_MAX_ATTEMPTS, batch: e.LEDGERLINE_SIEM_BATCH },
    alerts: {
      evaluateEveryMs: e.LEDGERLINE_ALERT_EVALUATE_EVERY * 1000,
      smtpUrl: e.LEDGERLINE_SMTP_URL || undefined,
      from: e.LEDGERLINE_ALERT_FROM || "ledgerline@localhost",
    },
    witnesses: witnessesFrom(e),
    logPins: logPinsFrom(e),
    verifyIntervalMs: e.LEDGERLINE_VERIFY_INTERVAL * 1000,
    verifyCoverageMs: e.LEDGERLINE_VERIFY_COVERAGE * 3600_000,
    pruneIntervalMs: e.LEDGERLINE_PRUNE_INTERVAL * 3600_000,
    archiveDir: e.LEDGERLINE_ARCHIVE_DIR ? path.resolve(/*turbopackIgnore: true*/ e.LEDGERLINE_ARCHIVE_DIR) : null,
    alertWebhook: e.LEDGERLINE_ALERT_WEBHOOK || undefined,
    tilesPublic: e.LEDGERLINE_TILES_PUBLIC === "1",
    maxBodyBytes: e.LEDGERLINE_MAX_BODY_BYTES,
    maxBatch: e.LEDGERLINE_MAX_BATCH,
    maxPendingEvents: e.LEDGERLINE_MAX_PENDING_EVENTS,
    maxInflightRequests: e.LEDGERLINE_MAX_INFLIGHT_REQUESTS,
    workers: e.LEDGERLINE_WORKERS,
    maxEventLoopLagMs: e.LEDGERLINE_MAX_EVENT_LOOP_LAG_MS,
    maxPendingBundles: e.LEDGERLINE_MAX_PENDING_BUNDLES,
    rateLimit: e.LEDGERLINE_RATE_LIMIT,
    rateBurst: e.LEDGERLINE_RATE_BURST || e.LEDGERLINE_RATE_LIMIT * 2,
    trustProxy: parseTrustProxy(e.LEDGERLINE_TRUST_PROXY),
    readRateLimit: e.LEDGERLINE_READ_RATE_LIMIT,
    readRateBurst: e.LEDGERLINE_READ_RATE_BURST || Math.min(e.LEDGERLINE_READ_RATE_LIMIT, 100),
    readAuditWindowMs: e.LEDGERLINE_READ_AUDIT_WINDOW * 1000,
    production,
    oidc: parseOidc(e),
  };
}

function witnessesFrom(e: z.infer<typeof envSchema>): WitnessConfig | null {
  try {
    return parseWitnessConfig({
      ...e,
      alertAfterSeconds: e.LEDGERLINE_WITNESS_ALERT_AFTER,
      timeoutSeconds: e.LEDGERLINE_WITNESS_TIMEOUT,
    });
  } catch (err) {
    if (err instanceof WitnessConfigError) throw new ConfigError(err.message);
    throw err;
  }
}

function logPinsFrom(e: z.infer<typeof envSchema>): LogPins | null {
  try {
    return parseLogPins(e);
  } catch (err) {
    throw new ConfigError(`${(err as Error).message} (the integrity center's pinned log keys; docs/integrity.md)`);
  }
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
