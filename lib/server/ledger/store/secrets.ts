import "server-only";
import type { SqlDriver } from "../../db/driver.ts";

// The values and salts of committed personal fields (migration 0016, docs/retention.md
// § Erasure). Inserted by the sequencer with their entries; a row goes only along an
// erasure receipt that lists it (or with its entry's pruned body) — the database refuses
// any other DELETE, and every UPDATE.

export type SecretRow = { seq: number; pointer: string; value: string; salt: Uint8Array };

const CHUNK = 500;

/** The secrets of `seqs`, grouped by seq. */
export async function secretsOf(db: SqlDriver, seqs: number[]): Promise<Map<number, SecretRow[]>> {
  const out = new Map<number, SecretRow[]>();
  for (let i = 0; i < seqs.length; i += CHUNK) {
    const chunk = seqs.slice(i, i + CHUNK);
    const rows = await db.all<SecretRow>(
      `SELECT seq, pointer, value, salt FROM entry_secrets WHERE seq IN (${chunk.map(() => "?").join(", ")})`,
      chunk,
    );
    for (const r of rows) {
      const seq = Number(r.seq);
      out.set(seq, [...(out.get(seq) ?? []), { ...r, seq, salt: new Uint8Array(r.salt) }]);
    }
  }
  return out;
}

/** Seqs (ascending) whose `pointer` holds the canonical value `valueJcs`. */
export async function seqsWithValue(db: SqlDriver, pointer: string, valueJcs: string): Promise<number[]> {
  const rows = await db.all<{ seq: number }>(
    "SELECT seq FROM entry_secrets WHERE pointer = ? AND value = ? ORDER BY seq",
    [pointer, valueJcs],
  );
  return rows.map((r) => Number(r.seq));
}

/** Deletes the `pointer` secrets of first..last (the trigger checks an erasure receipt covers them); returns how many. */
export async function deleteSecrets(db: SqlDriver, pointer: string, first: number, last: number): Promise<number> {
  return db.run("DELETE FROM entry_secrets WHERE pointer = ? AND seq >= ? AND seq <= ?", [pointer, first, last]);
}

/** Deletes every secret of first..last whose entry body was pruned (the trigger checks it). */
export async function deletePrunedSecrets(db: SqlDriver, first: number, last: number): Promise<number> {
  return db.run(
    "DELETE FROM entry_secrets WHERE seq >= ? AND seq <= ? AND seq IN (SELECT seq FROM entries WHERE seq >= ? AND seq <= ? AND pruned_by IS NOT NULL)",
    [first, last, first, last],
  );
}

/**
 * SQL for the requester id a reader sees, on a row of `entries` named `alias`: the column,
 * or — where leaf v2 committed it (the column holds "") — its kept value from entry_secrets
 * (JSON text, decoded). NULL once erased, so nothing derived from it keeps the value.
 */
export function keptRequesterSql(dialect: SqlDriver["dialect"], alias = "entries"): string {
  const decode = dialect === "sqlite" ? "json_extract(s.value, '$')" : "(s.value::jsonb #>> '{}')";
  return (
    `(CASE WHEN ${alias}.requester_id = '' THEN (SELECT ${decode} FROM entry_secrets s ` +
    `WHERE s.seq = ${alias}.seq AND s.pointer = '/requester/id') ELSE ${alias}.requester_id END)`
  );
}
