import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson } from "@/lib/core/index.ts";
import { openDriver } from "../db/driver.ts";
import { migrate } from "../db/migrate.ts";
import { ENTRY_COLUMNS } from "./entry.ts";
import { canonicalEntryFromRow, type EntryRow } from "./entry-row.ts";
import { CANONICAL_ENTRY_SQL } from "./entry-sql.ts";

// SQLite's canonical text of an entry row (entry-sql.ts, what the verifier's workers
// hash) is byte for byte canonicalEntryFromRow's for every row that function accepts —
// arbitrary Unicode, every control character, quotes and backslashes, null and empty
// columns, v1 and v2 leaves, committed requester ids — and NULL for the rows it refuses
// (attributes or commitments that are not exactly one JSON object, a committed requester
// id whose column is not ""), in a migrated SQLite store.

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);

let dir: string;
let db: Database.Database;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "ll-entry-sql-"));
  const file = path.join(dir, "ledgerline.db");
  const driver = openDriver({ dialect: "sqlite", file, url: `file:${file}` });
  await migrate(driver);
  await driver.close();
  db = new Database(file);
});

afterAll(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Text with what escaping must get right: controls, quotes, backslashes, U+2028, astral characters. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc
    .array(
      fc.constantFrom(
        "\u0000",
        "\u0008",
        "\t",
        "\n",
        "\u000b",
        "\f",
        "\r",
        "\u001f",
        "\u007f",
        '"',
        "\\",
        "/",
        "\u2028",
        "\ufeff",
        "🎉",
        "é",
        "x",
      ),
      { maxLength: 8 },
    )
    .map((a) => a.join("")),
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null });
const attributes = maybe(
  fc.dictionary(text, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }).map((o) => canonicalJson(o)),
);
const pointers = fc.uniqueArray(fc.constantFrom("/requester/id", "/requester/ip", "/attributes/user", "/reason"), {
  maxLength: 3,
});

const row = fc
  .record({
    seq: fc.integer({ min: 1, max: 2 ** 40 }),
    event_id: text,
    source: text,
    ts: text,
    received_at: text,
    event_type: text,
    requester_id: text,
    requester_type: text,
    requester_ip: maybe(text),
    target_id: text,
    target_service: maybe(text),
    target_type: maybe(text),
    action: maybe(text),
    outcome: text,
    correlation_id: maybe(text),
    reason: maybe(text),
    attributes,
    personal: maybe(pointers),
  })
  .map((r) => {
    const committed = r.personal ?? [];
    const personal = r.personal && canonicalJson(Object.fromEntries(committed.map((p) => [p, "ab".repeat(32)])));
    return { ...r, personal, requester_id: committed.includes("/requester/id") ? "" : r.requester_id };
  });

/** Stores `rows` afresh and reads each one back with its SQLite canonical text. */
function roundTrip(rows: Array<Record<string, unknown>>): Array<EntryRow & { text: string | null }> {
  db.exec("DELETE FROM entries");
  const insert = db.prepare(
    `INSERT INTO entries (${ENTRY_COLUMNS.join(", ")}) VALUES (${ENTRY_COLUMNS.map((c) => `@${c}`).join(", ")})`,
  );
  db.transaction(() => {
    for (const r of rows) insert.run({ ...r, leaf_hash: Buffer.alloc(32) });
  })();
  return db.prepare(`SELECT *, ${CANONICAL_ENTRY_SQL} AS text FROM entries ORDER BY seq`).all() as Array<
    EntryRow & { text: string | null }
  >;
}

const jsText = (r: EntryRow): string | null => {
  try {
    return canonicalEntryFromRow(r);
  } catch {
    return null;
  }
};

describe("the canonical entry text built by SQLite", () => {
  beforeAll(() => {
    // The guards refuse DELETE; this table only ever holds the rows of one check.
    db.exec("DROP TRIGGER IF EXISTS entries_no_delete");
  });

  it("is canonicalEntryFromRow's, byte for byte, for arbitrary rows", () => {
    const rows = fc.sample(row, { numRuns: RUNS, seed: 20261205 });
    const unique = [...new Map(rows.map((r) => [r.seq, r])).values()].map((r, i) => ({
      ...r,
      event_id: `${r.event_id}#${i}`,
    }));
    const back = roundTrip(unique);
    expect(back.length).toBe(unique.length);
    let v2 = 0;
    for (const r of back) {
      const want = jsText(r);
      expect(want).not.toBeNull();
      expect(r.text).toBe(want);
      if (r.personal) v2++;
    }
    expect(v2).toBeGreaterThan(RUNS / 10);
  });

  it("is NULL where canonicalEntryFromRow refuses the row", () => {
    const base = {
      seq: 1,
      event_id: "e",
      source: "s",
      ts: "2026-12-05T00:00:00.000Z",
      received_at: "2026-12-05T00:00:00.000Z",
      event_type: "access",
      requester_id: "spiffe://a",
      requester_type: "service",
      requester_ip: null,
      target_id: "t",
      target_service: null,
      target_type: null,
      action: null,
      outcome: "success",
      correlation_id: null,
      reason: null,
      attributes: null,
      personal: null,
    };
    const refused = [
      { attributes: "[1]" },
      { attributes: '"text"' },
      { attributes: '{"a":1} ' + "x" },
      { attributes: '{"a":1},"correlationId":"c"' },
      { attributes: "{'a':1}" },
      { personal: '{"/reason":"ab"},"x":1' },
      { personal: "[]" },
      { personal: "not json" },
      { personal: '{"/requester/id":"ab"}', requester_id: "spiffe://shown-but-committed" },
    ];
    const back = roundTrip(refused.map((r, i) => ({ ...base, ...r, seq: i + 1, event_id: `e${i}` })));
    for (const r of back) {
      expect(jsText(r), JSON.stringify(r)).toBeNull();
      expect(r.text, JSON.stringify(r)).toBeNull();
    }
    // The same rows made whole again are accepted by both, with the same text.
    const fixed = roundTrip([{ ...base, attributes: '{"a":1}', personal: '{"/requester/id":"ab"}', requester_id: "" }]);
    expect(fixed[0]!.text).toBe(jsText(fixed[0]!));
    expect(fixed[0]!.text).toContain('"leafVersion":2');
  });
});
