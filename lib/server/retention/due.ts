import "server-only";
import type { EventFilter } from "@/lib/core/event-filter.ts";
import type { Param, SqlDriver } from "../db/driver.ts";
import { filterWhere, type Where } from "../events/filter-sql.ts";
import { DEFAULT_POLICY } from "@/lib/schemas/retention.ts";
import { ERASURE_RECEIPT_ACTION, PRUNE_RECEIPT_ACTION } from "./receipt.ts";
import type { HoldRow, PolicyRow } from "./store.ts";

// Which entries a policy may prune now, as one WHERE clause (docs/retention.md):
//   - the policy's filter matches (the default: no named policy matches),
//   - no policy with a longer duration (or "forever") matches — the longest wins;
//     equal durations go to the first name in order, so each entry has one owner,
//   - claimed before now − days, body not yet pruned, not a prune receipt,
//   - no active legal hold matches.
// "Matches" is CASE WHEN … THEN 1 ELSE 0 END so a NULL column never lets an
// entry slip out of a hold or another policy (NOT NULL would drop the row).

const matches = (w: Where): Where => ({ sql: `(CASE WHEN ${w.sql} THEN 1 ELSE 0 END)`, params: w.params });

function longer(a: PolicyRow, b: PolicyRow): boolean {
  if (a.days === null) return b.days !== null || a.name < b.name;
  if (b.days === null) return false;
  return a.days > b.days || (a.days === b.days && a.name < b.name);
}

export function cutoffFor(days: number, now: number): string {
  return new Date(now - days * 86_400_000).toISOString();
}

/** The WHERE clause of the entries `policy` may prune at `now`, or null when it keeps for ever. */
export function dueWhere(
  dialect: SqlDriver["dialect"],
  policy: PolicyRow,
  all: PolicyRow[],
  holds: HoldRow[],
  now: number,
): Where | null {
  if (policy.days === null) return null;
  const f = (x: EventFilter) => matches(filterWhere(x, dialect));
  const named = all.filter((p) => p.name !== DEFAULT_POLICY);
  const parts: Where[] = [{ sql: "pruned_by IS NULL AND ts < ?", params: [cutoffFor(policy.days, now)] }];
  // Receipts are the evidence of what is gone: never pruned themselves.
  parts.push({
    sql: "(action IS NULL OR action NOT IN (?, ?))",
    params: [PRUNE_RECEIPT_ACTION, ERASURE_RECEIPT_ACTION],
  });
  if (policy.name === DEFAULT_POLICY) for (const p of named) parts.push(notOf(f(p.filter)));
  else {
    parts.push({ sql: `${f(policy.filter).sql} = 1`, params: f(policy.filter).params });
    for (const p of named) if (p.name !== policy.name && longer(p, policy)) parts.push(notOf(f(p.filter)));
  }
  const held = heldByAny(dialect, holds);
  if (held) parts.push(notOf(held));
  return { sql: parts.map((p) => p.sql).join(" AND "), params: parts.flatMap((p) => p.params as Param[]) };
}

const notOf = (w: Where): Where => ({ sql: `${w.sql} = 0`, params: w.params });

/**
 * How many active holds match the entry (0 = none): the hold clause pruning and erasure
 * share — an entry any active hold matches is neither pruned nor erased.
 */
export function heldByAny(dialect: SqlDriver["dialect"], holds: HoldRow[]): Where | null {
  const any = holds.filter((h) => !h.releasedAt).map((h) => matches(filterWhere(h.filter, dialect)));
  if (!any.length) return null;
  return { sql: `(${any.map((a) => a.sql).join(" + ")})`, params: any.flatMap((a) => a.params) };
}

/** Entries a hold protects that would otherwise be due under `policy` (the dry run's "held" count). */
export function heldWhere(
  dialect: SqlDriver["dialect"],
  policy: PolicyRow,
  all: PolicyRow[],
  holds: HoldRow[],
  now: number,
): Where | null {
  const held = heldByAny(dialect, holds);
  if (!held) return null;
  const due = dueWhere(dialect, policy, all, [], now);
  if (!due) return null;
  return { sql: `${due.sql} AND ${held.sql} > 0`, params: [...due.params, ...held.params] };
}
