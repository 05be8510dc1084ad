import { describe, expect, it } from "vitest";
import { canonicalJson } from "@/lib/core/index.ts";
import { validateEvent } from "@/lib/schemas/event.ts";
import { demoEvents } from "../runtime/demo-seed.ts";
import {
  buildEntry,
  canonicalEntryFromRow,
  ENTRY_COLUMNS,
  entryToRow,
  leafHashOf,
  rowLeafHash,
  rowToEntry,
  type EntryRow,
} from "./entry.ts";

function rowOf(values: unknown[]): EntryRow {
  return Object.fromEntries(ENTRY_COLUMNS.map((c, i) => [c, values[i]])) as EntryRow;
}

describe("canonicalEntryFromRow", () => {
  it("is byte for byte canonicalJson(rowToEntry(row)) for every demo entry and for awkward strings", () => {
    const events = [...demoEvents(400).values()].flat();
    const odd = validateEvent({
      id: 'q"uote\\back~slash',
      timestamp: "2026-02-28T23:59:59.999+13:45",
      eventType: "execute",
      requester: { id: "spiffe://é/日本/😀", type: "device", ip: "2001:DB8::1" },
      target: { id: "db://x/\u00e9" },
      outcome: "failure",
      reason: 'quote " backslash \\ \u2028 line sep, \u202e bidi, \ufeff BOM in reason',
      attributes: { z: [1, 2.5, -0, 1e-7, 123456789012, { é: null, a: true }], "\u00e9": "x", A: "", "1": { b: [] } },
    });
    if (!odd.ok) throw new Error(JSON.stringify(odd.errors));
    let seq = 0;
    for (const e of [...events, odd.event, { ...odd.event, attributes: undefined }]) {
      const { attributes, ...rest } = e;
      const ev = attributes === undefined ? rest : e;
      const entry = buildEntry(
        { ...ev, id: ev.id ?? `gen-${seq}` },
        ++seq,
        "2026-11-27T10:00:00.000Z",
        "spiffe://src/é",
      );
      const row = rowOf(entryToRow(entry, leafHashOf(entry)));
      expect(canonicalEntryFromRow(row)).toBe(canonicalJson(rowToEntry(row)));
      expect(Buffer.from(rowLeafHash(row)).equals(Buffer.from(row.leaf_hash))).toBe(true);
    }
  });

  it("cannot be fooled by columns shifted into the attributes text", () => {
    const r = validateEvent({
      timestamp: "2026-11-27T10:00:00Z",
      eventType: "read",
      requester: { id: "a" },
      target: { id: "b" },
      outcome: "success",
      correlationId: "c",
      attributes: { a: 1 },
    });
    if (!r.ok) throw new Error("fixture");
    const entry = buildEntry({ ...r.event, id: "x" }, 1, "2026-11-27T10:00:00.000Z", "s");
    const row = rowOf(entryToRow(entry, leafHashOf(entry)));
    // Same bytes if concatenated blindly, but the columns now say something else.
    const shifted = { ...row, attributes: '{"a":1},"correlationId":"c"', correlation_id: null };
    expect(() => rowLeafHash(shifted)).toThrow(/JSON|attributes/);
    const nonCanonical = { ...row, attributes: '{ "a": 1 }' };
    expect(Buffer.from(rowLeafHash(nonCanonical)).equals(Buffer.from(row.leaf_hash))).toBe(false);
  });
});
