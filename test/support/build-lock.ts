import crypto from "node:crypto";
import os from "node:os";
import path from "node:path";

/**
 * The lock file around `next build` and around copying `.next`, one per checkout: e2e and the
 * stress tier build under it (exclusive) and the stress tier and bench copy the build under it
 * (shared), so a copy never sees a half-written build. (Guessing from file times did not work:
 * `next build` writes BUILD_ID before its manifests, seconds apart on a loaded machine.)
 */
export function buildLockPath(root: string): string {
  const id = crypto.createHash("sha256").update(path.resolve(root)).digest("hex").slice(0, 12);
  return path.join(os.tmpdir(), `ledgerline-build-${id}.lock`);
}
