import "server-only";
import { canonicalJson, entryLeafHash, hashLeaf, utf8 } from "@/lib/core/index.ts";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import type { Param } from "../db/driver.ts";
import { canonicalEntryFromRow, type EntryRow } from "./entry-row.ts";
import { eventColumns } from "./prepared-event.ts";

// An entry (SPEC §2) is a normalized event plus seq, receivedAt and source. It is
// stored as columns (so the explorer can filter) and rebuilt from those columns
// whenever it is hashed — the verifier hashes exactly what the dashboard shows.

export type Entry = NormalizedEvent & { id: string; seq: number; receivedAt: string; source: string };

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

/** The event part of an entry: what a client sent, normalized — the idempotency comparison. */
export function eventContent(e: NormalizedEvent & { id: string }): string {
  const { seq: _s, receivedAt: _r, source: _src, ...event } = e as Entry;
  return canonicalJson(event);
}

export function entryToRow(e: Entry, leafHash: Uint8Array): Param[] {
  return [
    e.seq,
    e.id,
    e.source,
    e.timestamp,
    e.receivedAt,
    ...eventColumns(e, e.attributes === undefined ? null : canonicalJson(e.attributes)),
    leafHash,
  ];
}

/** Rebuilds the entry exactly as it was hashed: absent optional fields omitted, never null. */
export function rowToEntry(r: EntryRow): Entry {
  const requester: Entry["requester"] = { id: r.requester_id, type: r.requester_type as Entry["requester"]["type"] };
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
  return e;
}

export function leafHashOf(e: Entry): Uint8Array {
  return entryLeafHash(e, nodeHasher);
}

/** The leaf hash of a stored row, recomputed from its columns (see canonicalEntryFromRow). */
export function rowLeafHash(r: EntryRow): Uint8Array {
  return hashLeaf(utf8(canonicalEntryFromRow(r)), nodeHasher);
}
