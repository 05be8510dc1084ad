import { canonicalJson } from "./canonical-json.ts";

// An entry's RFC 8785 bytes (SPEC §2) cut around the values only the sequencer
// knows: a server-assigned id, receivedAt, seq and source. Everything else — the
// key order, every other value's canonical form, the attributes' JCS — is done
// once, where the event is validated (a worker thread), and the sequencer only
// joins strings. JCS sorts keys by UTF-16 code units; the top-level keys are fixed
// ASCII names, and "id" < "outcome", "receivedAt" < "requester", "seq" <
// "source" < "target" always, with outcome, requester and target required, so
// the cuts below never move and the commas around them are always right.

/** A validated event (SPEC §1, normalized), as lib/schemas/event.ts gives it. */
type EventLike = {
  id?: string;
  timestamp: string;
  eventType: string;
  outcome: string;
  requester: { id?: string; type: string; ip?: string };
  target: { id: string; service?: string; type?: string };
  action?: string;
  correlationId?: string;
  reason?: string;
  attributes?: Record<string, unknown>;
};

/**
 * JCS(entry) = a + `"id":…,` + b + `"receivedAt":…,` + c + `"seq":…,"source":…,` + d;
 * JCS(event with its id) = a + `"id":…,` + b + c + d (the idempotency comparison).
 */
export type EntryParts = {
  a: string;
  b: string;
  c: string;
  d: string;
  /** The attributes' canonical JSON (also the stored column), if any. */
  attributes?: string;
};

const q = JSON.stringify;

/**
 * `personal` (pointer → commitment) makes a v2 leaf (docs/format.md § 8.3): `e` must then be
 * the event with those fields already removed (lib/core/personal.ts commitPersonal), and the
 * parts gain `"leafVersion":2` (between "id" and "outcome") and `"personal":{…}` (between
 * "outcome" and "reason") — both inside b, so the cuts stay where they are.
 */
export function entryParts(e: EventLike, personal?: Record<string, string>): EntryParts {
  const attributes = e.attributes === undefined ? undefined : canonicalJson(e.attributes);
  let a = "{";
  if (e.action !== undefined) a += `"action":${q(e.action)},`;
  if (attributes !== undefined) a += `"attributes":${attributes},`;
  if (e.correlationId !== undefined) a += `"correlationId":${q(e.correlationId)},`;
  a += `"eventType":${q(e.eventType)},`;
  let b = personal
    ? `"leafVersion":2,"outcome":${q(e.outcome)},"personal":${canonicalJson(personal)},`
    : `"outcome":${q(e.outcome)},`;
  if (e.reason !== undefined) b += `"reason":${q(e.reason)},`;
  const c = `"requester":${canonicalJson(e.requester)},`;
  const d = `"target":${canonicalJson(e.target)},"timestamp":${q(e.timestamp)}}`;
  return attributes === undefined ? { a, b, c, d } : { a, b, c, d, attributes };
}

/** The entry's canonical JSON from its parts. */
export function joinEntry(p: EntryParts, id: string, receivedAt: string, seq: number, source: string): string {
  return `${p.a}"id":${q(id)},${p.b}"receivedAt":${q(receivedAt)},${p.c}"seq":${seq},"source":${q(source)},${p.d}`;
}

/** The event's canonical JSON (what `canonicalJson({...event, id})` gives) from its parts. */
export function joinEvent(p: EntryParts, id: string): string {
  return `${p.a}"id":${q(id)},${p.b}${p.c}${p.d}`;
}
