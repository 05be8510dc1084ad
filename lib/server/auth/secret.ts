import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config.ts";

export class AuthConfigError extends Error {}

/**
 * The session-signing secret: NEXTAUTH_SECRET (or AUTH_SECRET). Outside
 * production a random one is kept in <data dir>/auth-secret (mode 0600) so the
 * two-command start works; with LEDGERLINE_ENV=production a missing secret
 * stops the server.
 */
export function resolveAuthSecret(config: Config, env: Record<string, string | undefined> = process.env): string {
  const given = env.NEXTAUTH_SECRET || env.AUTH_SECRET;
  if (given) {
    if (given.length < 32)
      throw new AuthConfigError("NEXTAUTH_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`).");
    return given;
  }
  if (config.production) {
    throw new AuthConfigError(
      "LEDGERLINE_ENV=production but NEXTAUTH_SECRET is not set: sessions could be forged. " +
        "Set NEXTAUTH_SECRET to a random value of at least 32 characters (`openssl rand -base64 32`) and start again.",
    );
  }
  const file = path.join(config.dataDir, "auth-secret");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = crypto.randomBytes(32).toString("base64");
  try {
    fs.writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return fs.readFileSync(file, "utf8").trim();
    throw e;
  }
  return secret;
}
