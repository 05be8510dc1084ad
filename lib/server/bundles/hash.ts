import "server-only";
import crypto from "node:crypto";

export function sha256Hex(data: Uint8Array): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}
