import "server-only";
import type { SqlDriver } from "../db/driver.ts";

// personal_fields (migration 0016): which JSON pointers of a source's events are
// committed in v2 leaves. Config, not evidence — every change is a meta-audit entry
// (personal-fields.ts) — so the rows may be replaced and deleted.

export const ALL_SOURCES = "*";

export type PersonalFieldRow = {
  source: string;
  pointer: string;
  updatedAt: string;
  updatedBy: string;
  auditSeq: number;
};

type Raw = { source: string; pointer: string; updated_at: string; updated_by: string; audit_seq: number };

export async function listPersonalFields(db: SqlDriver): Promise<PersonalFieldRow[]> {
  const rows = await db.all<Raw>("SELECT * FROM personal_fields ORDER BY source, pointer");
  return rows.map((r) => ({
    source: r.source,
    pointer: r.pointer,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
    auditSeq: Number(r.audit_seq),
  }));
}

/** The pointers committed for `source`'s events: its own and those declared for every source. */
export async function personalPointersFor(db: SqlDriver, source: string): Promise<string[]> {
  const rows = await db.all<{ pointer: string }>(
    "SELECT DISTINCT pointer FROM personal_fields WHERE source = ? OR source = ? ORDER BY pointer",
    [source, ALL_SOURCES],
  );
  return rows.map((r) => r.pointer);
}

export async function upsertPersonalField(db: SqlDriver, r: PersonalFieldRow): Promise<void> {
  await db.run(
    `INSERT INTO personal_fields (source, pointer, updated_at, updated_by, audit_seq) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (source, pointer) DO UPDATE SET updated_at = excluded.updated_at, updated_by = excluded.updated_by,
       audit_seq = excluded.audit_seq`,
    [r.source, r.pointer, r.updatedAt, r.updatedBy, r.auditSeq],
  );
}

export async function deletePersonalField(db: SqlDriver, source: string, pointer: string): Promise<number> {
  return db.run("DELETE FROM personal_fields WHERE source = ? AND pointer = ?", [source, pointer]);
}
