// A stored entry row and its canonical bytes, free of server-only code: the
// verifier's worker threads (lib/server/workers/leaf-task.ts) recompute leaf
// hashes from rows with it, as the server does (entry.ts re-exports both).

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
  /** Seq of the prune receipt that cleared this body (migration 0012): its columns then no longer hash to leaf_hash. */
  pruned_by?: number | null;
  /** Leaf v2 (migration 0016): the commitments' canonical JSON (pointer → hex); null/absent for a v1 leaf. */
  personal?: string | null;
};

/** The committed pointers of a v2 row (none for v1), from its `personal` column. */
export function personalPointersOf(r: Pick<EntryRow, "personal">): string[] {
  if (r.personal == null) return [];
  const parsed: unknown = JSON.parse(r.personal);
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    throw new Error("personal is not a JSON object");
  return Object.keys(parsed);
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
  s += `"eventType":${q(r.event_type)},"id":${q(r.event_id)},`;
  // Leaf v2: the version, and the commitments as stored (parsed once above, so the column
  // holds exactly one object); a committed /requester/id is absent from the leaf.
  const committed = personalPointersOf(r);
  if (r.personal != null) s += `"leafVersion":2,"outcome":${q(r.outcome)},"personal":${r.personal},`;
  else s += `"outcome":${q(r.outcome)},`;
  if (r.reason !== null) s += `"reason":${q(r.reason)},`;
  s += `"receivedAt":${q(r.received_at)},"requester":{`;
  if (!committed.includes("/requester/id")) s += `"id":${q(r.requester_id)},`;
  // The column of a committed id is "" — anything else would show a value the leaf never bound.
  else if (r.requester_id !== "") throw new Error("requester_id is set although /requester/id is committed");
  if (r.requester_ip !== null) s += `"ip":${q(r.requester_ip)},`;
  s += `"type":${q(r.requester_type)}},"seq":${Number(r.seq)},"source":${q(r.source)},"target":{"id":${q(r.target_id)}`;
  if (r.target_service !== null) s += `,"service":${q(r.target_service)}`;
  if (r.target_type !== null) s += `,"type":${q(r.target_type)}`;
  return `${s}},"timestamp":${q(r.ts)}}`;
}
