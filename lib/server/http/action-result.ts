import "server-only";
import type { Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";

// What every server action returns: its data, or an error a person can act on.
// Only an AppError's detail reaches the browser; anything else is logged with
// a reference and answered with a generic message (never echo unknown errors).

export type ActionResult<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };

export async function runAction<T extends object>(name: string, fn: () => Promise<T>): Promise<ActionResult<T>> {
  try {
    return { ok: true, ...(await fn()) };
  } catch (e) {
    if (e instanceof AppError) {
      return { ok: false, error: e.code === "unauthorized" ? "Your session has ended. Sign in again." : e.detail };
    }
    const ref = crypto.randomUUID().slice(0, 8);
    console.error(`[ledgerline] action ${name} failed (ref ${ref}):`, e);
    return {
      ok: false,
      error: `Something went wrong (reference ${ref}). Reload the page to see what was saved, then try again.`,
    };
  }
}

/** Server action arguments come from the network: anything that is not a string becomes "". */
export function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}

/** The session's principal, or the same "unauthorized" AppError the data-access layer raises. */
export function signedIn(p: Principal | null): Principal {
  if (!p) throw new AppError("unauthorized", "Your session has ended. Sign in again.");
  return p;
}
