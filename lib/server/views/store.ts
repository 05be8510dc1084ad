import "server-only";
import type { SqlDriver } from "../db/driver.ts";
import { camelColumns, flagColumn } from "../db/rows.ts";

// The saved_views table (migration 0010): every SQL statement on it. Short
// write transactions, like the bundles rows (the SQLite reader connection must
// not write while the sequencer holds the lock).

type ViewRow = {
  id: string;
  owner: string;
  name: string;
  query: string;
  columns: string;
  shared: number | boolean;
  created_at: string;
  updated_at: string;
};

export type SavedView = {
  id: string;
  owner: string;
  name: string;
  /** The explorer's URL parameters (canonical order, no cursor); open it as `/events?<query>`. */
  query: string;
  columns: string[];
  shared: boolean;
  createdAt: string;
  updatedAt: string;
};

function serialize(r: ViewRow): SavedView {
  return {
    ...camelColumns(r, ["id", "owner", "name", "query", "created_at", "updated_at"]),
    columns: JSON.parse(r.columns) as string[],
    shared: flagColumn(r.shared),
  };
}

// 1/0 on both: PostgreSQL reads the text "1"/"0" as a boolean for the BOOLEAN column.
const flag = (v: boolean) => (v ? 1 : 0);

/** The views `owner` may open: their own and every shared one, by name (then owner, for equal names). */
export async function listViews(db: SqlDriver, owner: string): Promise<SavedView[]> {
  const rows = await db.all<ViewRow>(
    "SELECT * FROM saved_views WHERE owner = ? OR shared = ? ORDER BY name, owner LIMIT 500",
    [owner, flag(true)],
  );
  return rows.map(serialize);
}

export async function findView(db: SqlDriver, id: string): Promise<SavedView | null> {
  const row = await db.get<ViewRow>("SELECT * FROM saved_views WHERE id = ?", [id]);
  return row ? serialize(row) : null;
}

export async function findViewByName(db: SqlDriver, owner: string, name: string): Promise<SavedView | null> {
  const row = await db.get<ViewRow>("SELECT * FROM saved_views WHERE owner = ? AND name = ?", [owner, name]);
  return row ? serialize(row) : null;
}

export async function insertView(db: SqlDriver, v: SavedView): Promise<void> {
  await db.writeTransaction((tx) =>
    tx.run(
      "INSERT INTO saved_views (id, owner, name, query, columns, shared, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      [v.id, v.owner, v.name, v.query, JSON.stringify(v.columns), flag(v.shared), v.createdAt, v.updatedAt],
    ),
  );
}

export async function updateView(
  db: SqlDriver,
  id: string,
  change: { name: string; shared: boolean; updatedAt: string },
): Promise<void> {
  await db.writeTransaction((tx) =>
    tx.run("UPDATE saved_views SET name = ?, shared = ?, updated_at = ? WHERE id = ?", [
      change.name,
      flag(change.shared),
      change.updatedAt,
      id,
    ]),
  );
}

export async function deleteView(db: SqlDriver, id: string): Promise<number> {
  return db.writeTransaction((tx) => tx.run("DELETE FROM saved_views WHERE id = ?", [id]));
}

/** True when the driver refused a row for the (owner, name) unique key (SQLite or PostgreSQL wording). */
export function isDuplicateName(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === "23505" || /UNIQUE constraint failed: saved_views/.test(err?.message ?? "");
}
