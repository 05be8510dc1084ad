import "server-only";
import { joinEntry, joinEvent, toBase64, type CompactRange } from "@/lib/core/index.ts";
import type { Param } from "../db/driver.ts";
import { uuidv7 } from "../db/ids.ts";
import type { PreparedEvent } from "./prepared-event.ts";
import { isStoredLevel } from "./tree.ts";
import { hashLeafText } from "@/lib/node-hasher.ts";

// The in-memory half of one group commit: the requests of a group are planned in
// arrival order against one growing tree, each all-or-nothing. A request whose
// client id is stored (or sent earlier in this group) with other content fails
// alone and leaves no trace in the plan — its conflicts are found before any of
// its entries join the group — so the others still commit in the one transaction.

export type AppendItem =
  { status: "accepted"; id: string; seq: number; leafHash: string } | { status: "duplicate"; id: string; seq: number };

export type Conflict = { index: number; id: string; seq: number };

export type AppendResult = { ok: true; items: AppendItem[]; treeSize: number } | { ok: false; conflicts: Conflict[] };

/** (source, id) of client ids already stored: their seq and canonical event content. */
export type Existing = Map<string, { seq: number; content: string }>;

/** What one transaction writes for a whole group, and where the tree ends. */
export class GroupPlan {
  readonly rows: Param[][] = [];
  readonly nodes: Param[][] = [];
  /** entry_secrets rows (seq, pointer, value, salt) of the group's v2 leaves. */
  readonly secrets: Param[][] = [];
  readonly counts = new Map<string, number>();
  /** The alert rules' rollup (migration 0014): `bucket \0 source \0 outcome` → entries. */
  readonly sourceCounts = new Map<string, number>();
  /** The explorer's type facet rollup (migration 0017): `bucket \0 outcome \0 event type` → entries. */
  readonly typeCounts = new Map<string, number>();
  /** Each source's last seq in this group (source_activity, for silent-source rules). */
  readonly lastSeqBySource = new Map<string, number>();
  /** Trace search's rollup (migrations 0011, 0021): correlation id → its entries in this group. */
  readonly traces = new Map<string, TraceRollup>();
  /**
   * `correlation id \0 name` → the last claimed time: every target service and every requester
   * id (a committed one's kept value; never "") that took part in the trace.
   */
  readonly traceServices = new Map<string, string>();
  // Client ids accepted earlier in this group, per source: a later request
  // repeating one is a duplicate (same content) or a conflict, as if stored.
  private readonly inGroup = new Map<string, { seq: number; event: PreparedEvent }>();

  constructor(
    public size: number,
    readonly range: CompactRange,
    readonly receivedAt: string,
    private readonly countBucketChars: number,
  ) {}

  /** Plans one request; on a conflict nothing of it is kept. */
  add(source: string, events: PreparedEvent[], existing: Existing): AppendResult {
    let size = this.size;
    const items: AppendItem[] = [];
    const conflicts: Conflict[] = [];
    const staged: Array<{
      leaf: Uint8Array;
      row: Param[];
      countKey: string;
      seq: number;
      secrets: Param[][];
      requester: string;
    }> = [];
    const local = new Map<string, { seq: number; event: PreparedEvent }>();
    events.forEach((event, index) => {
      const clientId = event.id;
      const id = clientId ?? uuidv7();
      // Server-assigned ids are fresh UUIDv7s: only client ids can repeat, and
      // only a repeat pays for the content comparison.
      if (clientId !== undefined) {
        const stored = existing.get(groupKey(source, clientId));
        const earlier = local.get(clientId) ?? this.inGroup.get(groupKey(source, clientId));
        if (stored || earlier) {
          const seq = (stored ?? earlier)!.seq;
          // v2 leaves compare the event as sent (`plain`), never the salted commitments.
          const content = joinEvent(event.plain ?? event.parts, clientId);
          const before = earlier?.event;
          const same = (stored ? stored.content : joinEvent(before!.plain ?? before!.parts, clientId)) === content;
          if (same) items.push({ status: "duplicate", id: clientId, seq });
          else conflicts.push({ index, id: clientId, seq });
          return;
        }
      }
      const seq = ++size;
      const leaf = hashLeafText(joinEntry(event.parts, id, this.receivedAt, seq, source));
      staged.push({
        leaf,
        // ENTRY_COLUMNS order: seq, event_id, source, ts, received_at, event_type … attributes, leaf_hash.
        row: [seq, id, source, event.ts, this.receivedAt, ...event.cols, leaf],
        countKey: `${event.ts.slice(0, this.countBucketChars)}\u0000${event.outcome}`,
        seq,
        secrets: (event.secrets ?? []).map((x) => [seq, x.pointer, x.value, Buffer.from(x.salt, "hex")]),
        requester: requesterName(event),
      });
      if (clientId !== undefined) local.set(clientId, { seq, event });
      items.push({ status: "accepted", id, seq, leafHash: toBase64(leaf) });
    });
    if (conflicts.length) return { ok: false, conflicts };
    for (const s of staged) {
      this.rows.push(s.row);
      this.secrets.push(...s.secrets);
      this.counts.set(s.countKey, (this.counts.get(s.countKey) ?? 0) + 1);
      const typeKey = `${s.countKey}\u0000${s.row[5] as string}`; // row[5]: event_type (ENTRY_COLUMNS)
      this.typeCounts.set(typeKey, (this.typeCounts.get(typeKey) ?? 0) + 1);
      const sourceKey = s.countKey.replace("\u0000", `\u0000${source}\u0000`);
      this.sourceCounts.set(sourceKey, (this.sourceCounts.get(sourceKey) ?? 0) + 1);
      this.lastSeqBySource.set(source, s.seq);
      this.addTrace(s.row, s.requester);
      for (const n of this.range.append(s.leaf))
        if (isStoredLevel(n.level)) this.nodes.push([n.level, n.index, n.hash]);
    }
    for (const [id, v] of local) this.inGroup.set(groupKey(source, id), v);
    this.size = size;
    return { ok: true, items, treeSize: size };
  }

  private addTrace(row: Param[], requester: string): void {
    const id = row[CORRELATION_ID] as string | null;
    if (id === null) return;
    const ts = row[TS] as string;
    const outcome = row[OUTCOME] as string;
    const t = this.traces.get(id);
    if (!t)
      this.traces.set(id, {
        first: ts,
        last: ts,
        entries: 1,
        denied: outcome === "denied" ? 1 : 0,
        failed: outcome === "failure" ? 1 : 0,
      });
    else {
      if (ts < t.first) t.first = ts;
      if (ts > t.last) t.last = ts;
      t.entries++;
      if (outcome === "denied") t.denied++;
      else if (outcome === "failure") t.failed++;
    }
    const service = row[TARGET_SERVICE] as string | null;
    for (const name of [service, requester]) {
      if (!name) continue;
      const key = `${id}\u0000${name}`;
      const last = this.traceServices.get(key);
      if (last === undefined || ts > last) this.traceServices.set(key, ts);
    }
  }
}

type TraceRollup = { first: string; last: string; entries: number; denied: number; failed: number };

// ENTRY_COLUMNS positions the trace rollup reads.
const TS = 3;
const TARGET_SERVICE = 10;
const OUTCOME = 13;
const CORRELATION_ID = 14;

/** The requester id readers see: the column, or for a committed one (column "") its kept value. */
function requesterName(event: PreparedEvent): string {
  const kept = event.secrets?.find((x) => x.pointer === "/requester/id");
  return kept ? (JSON.parse(kept.value) as string) : (event.cols[1] ?? "");
}

export function groupKey(source: string, id: string): string {
  return `${source}\u0000${id}`;
}
