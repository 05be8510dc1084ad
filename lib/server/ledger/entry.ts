import "server-only";
import { canonicalJson, entryLeafHash, hashLeaf, utf8 } from "@/lib/core/index.ts";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import type { Param } from "../db/driver.ts";
import { canonicalEntryFromRow, personalPointersOf, type EntryRow } from "./entry-row.ts";
import { eventColumns } from "./prepared-event.ts";

// An entry (SPEC §2) is a normalized event plus seq, receivedAt and source. It is
// stored as columns (so the explorer can filter) and rebuilt from those columns
// whenever it is hashed — the verifier hashes exactly what the dashboard shows.

// A v2 leaf (docs/format.md § 8.3) is the entry with its personal fields removed plus
// `leafVersion: 2` and `personal` (pointer → commitment); a committed /requester/id leaves
// `requester.id` out, which the type below cannot say — readers go through withPersonal.
export type Entry = NormalizedEvent & {
  id: string;
  seq: number;
  receivedAt: string;
  source: string;
  leafVersion?: 2;
  personal?: Record<string, string>;
};

export const ENTRY_COLUMNS = [
  "seq",
  "event_id",
  "source",
  "ts",
  "received_at",
  "event_type",
  "requester_id",
  "requester_type",
  "requester_ip",
  "target_id",
  "target_service",
  "target_type",
  "action",
  "outcome",
  "correlation_id",
  "reason",
  "attributes",
  "personal",
  "leaf_hash",
] as const;

export type { EntryRow } from "./entry-row.ts";
export { canonicalEntryFromRow } from "./entry-row.ts";

export function buildEntry(
  event: NormalizedEvent & { id: string },
  seq: number,
  receivedAt: string,
  source: string,
): Entry {
  return { ...event, seq, receivedAt, source };
}

/** The event part of an entry: what a client sent, normalized — the idempotency comparison (values restored, see withPersonal). */
export function eventContent(e: NormalizedEvent & { id: string }): string {
  const { seq: _s, receivedAt: _r, source: _src, leafVersion: _v, personal: _p, ...event } = e as Entry;
  return canonicalJson(event);
}

export function entryToRow(e: Entry, leafHash: Uint8Array): Param[] {
  return [
    e.seq,
    e.id,
    e.source,
    e.timestamp,
    e.receivedAt,
    ...eventColumns(
      e,
      e.attributes === undefined ? null : canonicalJson(e.attributes),
      e.personal ? canonicalJson(e.personal) : null,
    ),
    leafHash,
  ];
}

/** Rebuilds the entry exactly as it was hashed: absent optional fields omitted, never null. */
export function rowToEntry(r: EntryRow): Entry {
  const committed = personalPointersOf(r);
  const requester = { type: r.requester_type } as Entry["requester"];
  if (!committed.includes("/requester/id")) requester.id = r.requester_id;
  if (r.requester_ip !== null) requester.ip = r.requester_ip;
  const target: Entry["target"] = { id: r.target_id };
  if (r.target_service !== null) target.service = r.target_service;
  if (r.target_type !== null) target.type = r.target_type;
  const e: Entry = {
    seq: Number(r.seq),
    id: r.event_id,
    source: r.source,
    timestamp: r.ts,
    receivedAt: r.received_at,
    eventType: r.event_type as Entry["eventType"],
    requester,
    target,
    outcome: r.outcome as Entry["outcome"],
  };
  if (r.action !== null) e.action = r.action;
  if (r.correlation_id !== null) e.correlationId = r.correlation_id;
  if (r.reason !== null) e.reason = r.reason;
  if (r.attributes !== null) e.attributes = JSON.parse(r.attributes) as Record<string, unknown>;
  if (r.personal != null) {
    e.leafVersion = 2;
    e.personal = JSON.parse(r.personal) as Record<string, string>;
  }
  return e;
}

export function leafHashOf(e: Entry): Uint8Array {
  return entryLeafHash(e, nodeHasher);
}

/** The leaf hash of a stored row, recomputed from its columns (see canonicalEntryFromRow). */
export function rowLeafHash(r: EntryRow): Uint8Array {
  return hashLeaf(utf8(canonicalEntryFromRow(r)), nodeHasher);
}
