import "server-only";
import type { CompactRange } from "@/lib/core/index.ts";
import type { Param, SqlDriver } from "../db/driver.ts";
import type { CheckpointRow } from "./store/checkpoints.ts";
import { secretsOf } from "./store/secrets.ts";
import { withPersonal } from "./personal.ts";
import { eventContent, rowToEntry, type EntryRow } from "./entry.ts";
import type { PreparedEvent } from "./prepared-event.ts";
import { groupKey, type AppendResult, type Existing } from "./group-plan.ts";

// The sequencer's queue of append requests (sequencer.ts): how a group is taken from it,
// what its plan must know of the store (the client ids already stored), and when the next
// group may be planned on top of one the writer thread is still committing.

export type State = { size: number; range: CompactRange };

export type Pending = {
  source: string;
  events: PreparedEvent[];
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
};

// The most events one group commit takes (a request larger than this still goes
// alone). Bounds the transaction and the memory of one plan; admission control
// keeps the queue itself short (lib/server/ingest/admission.ts).
export const GROUP_MAX_EVENTS = 10_000;

/** The last checkpoint this process signed, while its tree has only grown since (Sequencer.signedFromMemory). */
export type SignedMemo = { size: number; root: Uint8Array };

/** A group's plan as the next group builds on it: the tree, last checkpoint and signing memo it leaves. */
export type Planned = {
  batch: number;
  state: State;
  checkpoint: CheckpointRow | null;
  memo: SignedMemo | null;
};

/** A group with the writer thread, not yet answered. */
export type Flight = Planned & { keys: Set<string>; events: number; settled: Promise<void>; done: boolean };

export function groupKeys(group: Pending[]): Set<string> {
  const keys = new Set<string>();
  for (const p of group) for (const e of p.events) if (e.id !== undefined) keys.add(groupKey(p.source, e.id));
  return keys;
}

export function countEvents(group: Pending[]): number {
  return group.reduce((n, p) => n + p.events.length, 0);
}

/**
 * The fewest waiting events worth planning on top of a group still being committed. A commit
 * costs 25–35 ms however small (its dirty pages, issue 16), so planning early pays only when
 * the next group is large anyway: below this, waiting for the commit makes one larger group.
 * Measured at batch 500 × 4 clients: 12,360 and 12,761 events/s with it, 10,916 and 11,868
 * without (writer thread busy 83 % instead of 60–70 %).
 */
const ON_TOP_MIN_EVENTS = 1000;

/** Whether the next group may be planned on top of `ahead` now (Sequencer.drain). */
export function mayPlanOnTop(queue: Pending[], ahead: Flight): boolean {
  let n = 0;
  for (const p of queue) {
    n += p.events.length;
    for (const e of p.events) if (e.id !== undefined && ahead.keys.has(groupKey(p.source, e.id))) return false;
  }
  return n >= Math.max(ahead.events, ON_TOP_MIN_EVENTS);
}

/** Takes the oldest requests up to `maxEvents` events (always at least one, whatever its size). */
export function takeGroup(queue: Pending[], maxEvents: number): Pending[] {
  let n = 0;
  let k = 0;
  while (k < queue.length && (k === 0 || n + queue[k]!.events.length <= maxEvents)) n += queue[k++]!.events.length;
  return queue.splice(0, k);
}

/** Client ids of the group already stored, keyed by (source, id): one query per source and 500 ids. */
export async function findExisting(tx: SqlDriver, group: Pending[]): Promise<Existing> {
  const found: Existing = new Map();
  const bySource = new Map<string, Set<string>>();
  for (const p of group) {
    const ids = bySource.get(p.source) ?? new Set<string>();
    for (const e of p.events) if (e.id !== undefined) ids.add(e.id);
    bySource.set(p.source, ids);
  }
  for (const [source, set] of bySource) {
    const unique = [...set];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      // PostgreSQL: one array parameter, so the statement is the same short text each time (it
      // parses and plans a 500-item IN list anew: 6.6 ms a group of 200 ids, issue 16).
      const rows =
        tx.dialect === "postgres"
          ? await tx.all<EntryRow>("SELECT * FROM entries WHERE source = ? AND event_id = ANY(?::text[])", [
              source,
              chunk as unknown as Param,
            ])
          : await tx.all<EntryRow>(
              `SELECT * FROM entries WHERE source = ? AND event_id IN (${chunk.map(() => "?").join(", ")})`,
              [source, ...chunk],
            );
      const secrets = await secretsOf(
        tx,
        rows.filter((r) => r.personal != null).map((r) => Number(r.seq)),
      );
      for (const r of rows) {
        const entry = withPersonal(rowToEntry(r), secrets.get(Number(r.seq)) ?? []).entry;
        found.set(groupKey(source, r.event_id), { seq: Number(r.seq), content: eventContent(entry) });
      }
    }
  }
  return found;
}
