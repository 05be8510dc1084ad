// An event ready for the sequencer, made where it is validated (a worker thread,
// lib/server/ingest/parse/prepare-batch.ts): no server-only code here, so the
// worker can load it.
import { entryParts, type EntryParts } from "@/lib/core/entry-parts.ts";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";

/**
 * One validated event, ready for the sequencer: its client id (if any), its
 * canonical parts and its column values (ENTRY_COLUMNS event_type … attributes).
 */
export type PreparedEvent = {
  id?: string;
  parts: EntryParts;
  ts: string;
  outcome: string;
  cols: Array<string | null>;
};

export function prepareEvent(e: NormalizedEvent): PreparedEvent {
  const parts = entryParts(e);
  const p: PreparedEvent = {
    parts,
    ts: e.timestamp,
    outcome: e.outcome,
    cols: eventColumns(e, parts.attributes ?? null),
  };
  if (e.id !== undefined) p.id = e.id;
  return p;
}

/** The event's column values in ENTRY_COLUMNS order, event_type … attributes (canonical JSON or null). */
export function eventColumns(e: NormalizedEvent, attributes: string | null): Array<string | null> {
  return [
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
    attributes,
  ];
}
