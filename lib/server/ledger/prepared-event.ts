// An event ready for the sequencer, made where it is validated (a worker thread,
// lib/server/ingest/parse/prepare-batch.ts): no server-only code here, so the
// worker can load it.
import crypto from "node:crypto";
import { entryParts, type EntryParts } from "@/lib/core/entry-parts.ts";
import { commitPersonal, SALT_BYTES, type PersonalSecret } from "@/lib/core/personal.ts";
import { canonicalJson } from "@/lib/core/canonical-json.ts";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";

/**
 * One validated event, ready for the sequencer: its client id (if any), its
 * canonical parts and its column values (ENTRY_COLUMNS event_type … attributes, personal).
 * A v2 leaf (personal fields committed, docs/format.md § 8.3) also carries the parts of
 * the event as sent (`plain`: the idempotency comparison) and the values with their salts.
 */
export type PreparedEvent = {
  id?: string;
  parts: EntryParts;
  ts: string;
  outcome: string;
  cols: Array<string | null>;
  plain?: EntryParts;
  secrets?: PersonalSecret[];
};

// Salts are drawn from the CSPRNG 256 at a time (one call instead of one per field: the
// per-call cost dominated v2 ingest). Each salt is a fresh copy; a drawn block is never reused.
let pool = new Uint8Array(0);
let used = 0;
function randomSalt(): Uint8Array {
  if (used + SALT_BYTES > pool.length) {
    pool = new Uint8Array(crypto.randomBytes(SALT_BYTES * 256));
    used = 0;
  }
  used += SALT_BYTES;
  return pool.slice(used - SALT_BYTES, used);
}

/** Prepares `e`; the fields of `personal` (JSON pointers) it has are committed, not stored in the leaf. */
export function prepareEvent(e: NormalizedEvent, personal: readonly string[] = []): PreparedEvent {
  const v2 = personal.length ? commitPersonal(e, personal, randomSalt, nodeHasher) : null;
  const event = v2 ? v2.stripped : e;
  const parts = entryParts(event, v2?.personal);
  const p: PreparedEvent = {
    parts,
    ts: e.timestamp,
    outcome: e.outcome,
    cols: eventColumns(event, parts.attributes ?? null, v2 ? canonicalJson(v2.personal) : null),
  };
  if (e.id !== undefined) p.id = e.id;
  if (v2) {
    p.plain = entryParts(e);
    p.secrets = v2.secrets;
  }
  return p;
}

/**
 * The event's column values in ENTRY_COLUMNS order, event_type … attributes (canonical JSON
 * or null), personal (the commitments' canonical JSON, null for a v1 leaf). A committed
 * required field (/requester/id) is stored as "" and left out of the leaf (entry-row.ts).
 */
export function eventColumns(
  e: Omit<NormalizedEvent, "requester"> & { requester: Partial<NormalizedEvent["requester"]> },
  attributes: string | null,
  personal: string | null = null,
): Array<string | null> {
  return [
    e.eventType,
    e.requester.id ?? "",
    e.requester.type ?? "",
    e.requester.ip ?? null,
    e.target.id,
    e.target.service ?? null,
    e.target.type ?? null,
    e.action ?? null,
    e.outcome,
    e.correlationId ?? null,
    e.reason ?? null,
    attributes,
    personal,
  ];
}
