import "server-only";
import { canonicalJson, entryLeafHash, hashLeaf, utf8 } from "@/lib/core/index.ts";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import type { Param } from "../db/driver.ts";

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

export type EntryRow = {
  seq: number;
  event_id: string;
  source: string;
  ts: string;
  received_at: string;
  event_type: string;
  requester_id: string;
  requester_type: string;
  requester_ip: string | null;
  target_id: string;
  target_service: string | null;
  target_type: string | null;
  action: string | null;
  outcome: string;
  correlation_id: string | null;
  reason: string | null;
  attributes: string | null;
  leaf_hash: Uint8Array;
};

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
    e.eventType,
    e.requester.id,
    e.requester.type,
    e.requester.ip ?? null,
    e.target.id,
    e.target.service ?? null,
    e.target.type ?? null,
    e.action ?? null,
    e.outcome,
    e.correlationId ?? null,
    e.reason ?? null,
    e.attributes === undefined ? null : canonicalJson(e.attributes),
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

const q = JSON.stringify; // RFC 8785 string escaping is ECMAScript JSON.stringify's

/**
 * JCS(entry) straight from a stored row, without building the entry object or
 * re-canonicalizing its attributes: keys are written in RFC 8785 order (UTF-16
 * code units) and the attributes column already holds canonical JSON. Byte for
 * byte what `canonicalJson(rowToEntry(r))` gives (tested), at under half the
 * cost — the verifier's hot loop. The attributes text must parse as exactly one
 * JSON object: with that, string values quoted by JSON.stringify and key
 * presence fixed by the columns, no tampered set of columns can concatenate to
 * the committed bytes unless every column equals what was committed.
 */
export function canonicalEntryFromRow(r: EntryRow): string {
  let s = "{";
  if (r.action !== null) s += `"action":${q(r.action)},`;
  if (r.attributes !== null) {
    const parsed: unknown = JSON.parse(r.attributes);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
      throw new Error("attributes is not a JSON object");
    s += `"attributes":${r.attributes},`;
  }
  if (r.correlation_id !== null) s += `"correlationId":${q(r.correlation_id)},`;
  s += `"eventType":${q(r.event_type)},"id":${q(r.event_id)},"outcome":${q(r.outcome)},`;
  if (r.reason !== null) s += `"reason":${q(r.reason)},`;
  s += `"receivedAt":${q(r.received_at)},"requester":{"id":${q(r.requester_id)}`;
  if (r.requester_ip !== null) s += `,"ip":${q(r.requester_ip)}`;
  s += `,"type":${q(r.requester_type)}},"seq":${Number(r.seq)},"source":${q(r.source)},"target":{"id":${q(r.target_id)}`;
  if (r.target_service !== null) s += `,"service":${q(r.target_service)}`;
  if (r.target_type !== null) s += `,"type":${q(r.target_type)}`;
  return `${s}},"timestamp":${q(r.ts)}}`;
}

/** The leaf hash of a stored row, recomputed from its columns (see canonicalEntryFromRow). */
export function rowLeafHash(r: EntryRow): Uint8Array {
  return hashLeaf(utf8(canonicalEntryFromRow(r)), nodeHasher);
}
