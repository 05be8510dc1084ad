import "./zod-browser.ts";
import { z } from "zod";
import { normalizeTimestamp } from "./timestamp.ts";

/** What the project's string rules return: the normalized value, or why it is refused. */
type CheckResult = { ok: true; value: string } | { ok: false; detail: string };

/**
 * A string schema that applies one of the rules (timestamp, identifier, correlation ID): the
 * value becomes the rule's normalized form, and the rule's own words become the zod issue, so an
 * API parameter and an ingest field are refused with the same sentence.
 */
export function checkedString(check: (s: string) => CheckResult) {
  return z.string().transform((s, ctx) => {
    const r = check(s);
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.detail });
      return z.NEVER;
    }
    return r.value;
  });
}

/** An RFC 3339 instant, stored spelling out (filters and trace searches alike). */
export const timestampString = checkedString((s) => normalizeTimestamp(s));
