import "server-only";
import crypto from "node:crypto";

// One UUIDv7 implementation for the server and the published client (Web Crypto only).
export { uuidv7 } from "@/lib/client/uuidv7.ts";

/** Random URL-safe token of `bytes` random bytes. */
export function randomToken(bytes: number): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

/** Server time in the log's one timestamp format: UTC, millisecond precision. */
export function nowIso(now = Date.now()): string {
  return new Date(now).toISOString();
}
