import "server-only";
import { OWN_SOURCE_PREFIX, parsePattern, type EventFilter, type TextPattern } from "@/lib/core/event-filter.ts";
import type { Param, SqlDriver } from "../db/driver.ts";

// An EventFilter as a SQL WHERE clause over `entries`, selecting exactly what
// matchesFilter (lib/core/event-filter.ts) accepts — search.int.test.ts
// ("selects exactly what matchesFilter accepts") checks the two against each
// other on both stores.
// Only column names from this file and `?` parameters reach the SQL text.

export type Where = { sql: string; params: Param[] };

/**
 * The least string greater than every string that starts with `prefix`, in code
 * point order (SQLite BINARY, PostgreSQL "C"); null when there is none. So a
 * prefix is the index range [prefix, upper) instead of a LIKE that a locale or
 * case-folding could keep off the index.
 */
export function prefixUpperBound(prefix: string): string | null {
  const cps = Array.from(prefix);
  while (cps.length) {
    const last = cps.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      let next = last + 1;
      if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // no lone surrogates in bound text
      return cps.join("") + String.fromCodePoint(next);
    }
  }
  return null;
}

function patternSql(column: string, pattern: TextPattern, nullable: boolean): Where {
  const p = parsePattern(pattern);
  let sql: string;
  const params: Param[] = [];
  if (p.prefix) {
    const upper = prefixUpperBound(p.value);
    if (p.value === "") sql = `${column} IS NOT NULL`;
    else if (upper === null) {
      sql = `${column} >= ?`;
      params.push(p.value);
    } else {
      sql = `(${column} >= ? AND ${column} < ?)`;
      params.push(p.value, upper);
    }
  } else {
    sql = `${column} = ?`;
    params.push(p.value);
  }
  if (!p.negate) return { sql, params };
  // NOT over a NULL is NULL: an absent value matches a negated pattern explicitly.
  return { sql: nullable ? `(${column} IS NULL OR NOT ${sql})` : `NOT ${sql}`, params };
}

/**
 * A pattern over a column that leaf v2 may have committed (docs/retention.md § Erasure):
 * the column, or — where it was committed and stored as "" — the kept value in
 * entry_secrets (JSON text, so the pattern is matched on its JSON-quoted form). An
 * erased value has no row there, so no filter ever matches it.
 */
function committedPatternSql(column: string, pointer: string, pattern: TextPattern): Where {
  const p = parsePattern(pattern);
  const direct = patternSql(column, p.prefix ? `${p.value}*` : p.value, false);
  const quoted = JSON.stringify(p.value);
  const secret = patternSql("s.value", p.prefix ? `${quoted.slice(0, -1)}*` : quoted, false);
  const sql =
    `(${direct.sql} OR (${column} = '' AND EXISTS (SELECT 1 FROM entry_secrets s ` +
    `WHERE s.seq = entries.seq AND s.pointer = ? AND ${secret.sql})))`;
  const params = [...direct.params, pointer, ...secret.params];
  return { sql: p.negate ? `NOT ${sql}` : sql, params };
}

function inList(column: string, values: string[]): Where {
  return { sql: `${column} IN (${values.map(() => "?").join(", ")})`, params: values };
}

/** ASCII A–Z → a–z only (matching foldAscii); SQLite's lower() folds ASCII only already. */
function foldedSql(dialect: SqlDriver["dialect"], column: string): string {
  return dialect === "sqlite"
    ? `lower(${column})`
    : `translate(${column}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The WHERE clause (without the keyword) of a filter; `pruned_by IS NULL` for the empty filter. */
export function filterWhere(f: EventFilter, dialect: SqlDriver["dialect"]): Where {
  const parts: Where[] = [];
  if (f.from !== undefined) parts.push({ sql: "ts >= ?", params: [f.from] });
  if (f.to !== undefined) parts.push({ sql: "ts < ?", params: [f.to] });
  if (f.seqFrom !== undefined) parts.push({ sql: "seq >= ?", params: [f.seqFrom] });
  if (f.seqTo !== undefined) parts.push({ sql: "seq <= ?", params: [f.seqTo] });
  if (f.eventType?.length) parts.push(inList("event_type", f.eventType));
  if (f.outcome?.length) parts.push(inList("outcome", f.outcome));
  if (f.requesterType?.length) parts.push(inList("requester_type", f.requesterType));
  if (f.requester !== undefined) parts.push(committedPatternSql("requester_id", "/requester/id", f.requester));
  if (f.target !== undefined) parts.push(patternSql("target_id", f.target, false));
  if (f.service !== undefined) parts.push(patternSql("target_service", f.service, true));
  if (f.source !== undefined) parts.push(patternSql("source", f.source, false));
  if (f.action !== undefined) parts.push(patternSql("action", f.action, true));
  if (f.correlationId !== undefined) parts.push({ sql: "correlation_id = ?", params: [f.correlationId] });
  // The same index range a `!ledgerline:*` source pattern would be (source is never NULL).
  if (f.hideOwnActivity === true) parts.push(patternSql("source", `!${OWN_SOURCE_PREFIX}*`, false));
  if (f.q !== undefined && f.q !== "") {
    // The needle is folded here and each column in SQL; LIKE's own case rules then
    // never matter (SQLite's LIKE folds ASCII, PostgreSQL's is case-sensitive).
    const needle = `%${likeEscape(f.q.replace(/[A-Z]/g, (c) => c.toLowerCase()))}%`;
    parts.push({
      // Kept personal values (leaf v2) are searched where they are kept; erased ones are gone.
      sql:
        `(${foldedSql(dialect, "reason")} LIKE ? ESCAPE '\\' OR ${foldedSql(dialect, "attributes")} LIKE ? ESCAPE '\\'` +
        ` OR (personal IS NOT NULL AND EXISTS (SELECT 1 FROM entry_secrets s WHERE s.seq = entries.seq` +
        ` AND ${foldedSql(dialect, "s.value")} LIKE ? ESCAPE '\\')))`,
      params: [needle, needle, needle],
    });
  }
  // A pruned entry keeps only its seq, times, source and event id (docs/retention.md):
  // no filter matches it, whatever those kept columns say.
  parts.push({ sql: "pruned_by IS NULL", params: [] });
  return { sql: parts.map((p) => p.sql).join(" AND "), params: parts.flatMap((p) => p.params) };
}
