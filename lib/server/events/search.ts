import "server-only";
import { createHash } from "node:crypto";
import { canonicalJson, toBase64, type EventFilter } from "@/lib/core/index.ts";
import { recordRepeatableAudit, type AuditRuntime } from "../audit/audit-repeats.ts";
import { actorOf, assertCan, type Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import type { SqlDriver } from "../db/driver.ts";
import { receiptOf } from "../retention/receipt.ts";
import { prunedInRange, type PrunedSummary } from "../retention/pruned-view.ts";
import { queryFacets, type Facets } from "./facets.ts";
import { canonicalEntryFromRow, type Entry } from "../ledger/entry.ts";
import { readableRows, type ErasedField } from "./personal-view.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { coveringCheckpoint } from "../ledger/store/checkpoints.ts";
import { entryAt } from "../ledger/store/entries.ts";
import {
  TOP_SAMPLE,
  queryEvents,
  queryHistogram,
  queryTop,
  type EventPage,
  type Histogram,
  type SearchOptions,
  type TopItem,
} from "./query.ts";

// The explorer's use cases — the page, the read API and the charts call these:
// each checks events:read first and records what was looked at (fail closed).
// The SQL behind them is ./query.ts.

export type { EventItem, EventPage, Histogram, TopItem } from "./query.ts";

/** The target id of explorer meta-audit entries. */
export const EVENTS_TARGET = "ledgerline:events";

/**
 * The filter as a meta-audit attribute. A filter at its length limits can pass the
 * 8 KiB attributes limit; then its SHA-256 (of the canonical JSON) is recorded, so a
 * search is never refused for being hard to describe.
 */
export function auditableFilter(filter: EventFilter): { filter?: EventFilter; filterSha256?: string } {
  if (Object.keys(filter).length === 0) return {};
  const text = canonicalJson(filter);
  if (Buffer.byteLength(text) <= 4096) return { filter };
  return { filterSha256: createHash("sha256").update(text).digest("hex") };
}

/** The explorer page and the read API: checks events:read and records the search in the ledger. */
export async function searchEvents(
  ledger: AuditRuntime,
  p: Principal | null,
  filter: EventFilter,
  opts: SearchOptions,
): Promise<EventPage> {
  assertCan(p, "events:read");
  // Fail closed: a search nobody can see was made is not answered. Only the
  // first page of a search is recorded; following its cursor is the same search.
  // The same search again within the read-audit window is counted into one later
  // `events.search.repeated` entry (lib/server/audit/audit-repeats.ts).
  if (!opts.cursor) {
    await recordRepeatableAudit(ledger, actorOf(p), {
      action: "events.search",
      eventType: "read",
      outcome: "success",
      target: { id: EVENTS_TARGET, type: "events" },
      attributes: { ...auditableFilter(filter), sort: opts.sort },
    });
  }
  return queryEvents(ledger, filter, opts);
}

export type EventSummary = {
  histogram: Histogram;
  topRequesters: TopItem[];
  topTargets: TopItem[];
  /** When the filter matches more than `newest` entries, the top lists count only the newest `newest`. */
  topSample: { sampled: boolean; newest: number };
  /** Counts on the outcome and type chips: the filter without that facet's own constraint (./facets.ts). */
  facets: Facets;
  /** Entries claimed in the filter's time range whose bodies retention pruned (no filter can match them). */
  pruned: PrunedSummary;
};

/** The charts above the table: same filter, one permission check (no extra audit: the search is recorded). */
export async function summarizeEvents(ledger: Ledger, p: Principal | null, filter: EventFilter): Promise<EventSummary> {
  assertCan(p, "events:read");
  const histogram = await queryHistogram(ledger, filter);
  const sampled = histogram.total > TOP_SAMPLE;
  const sample = sampled ? TOP_SAMPLE : undefined;
  const [topRequesters, topTargets, facets, pruned] = await Promise.all([
    queryTop(ledger, filter, "requester", 10, sample),
    queryTop(ledger, filter, "target", 10, sample),
    queryFacets(ledger, filter, histogram),
    prunedInRange(ledger.db, filter.from, filter.to),
  ]);
  return { histogram, topRequesters, topTargets, topSample: { sampled, newest: TOP_SAMPLE }, facets, pruned };
}

/**
 * How many entries the filter matches right now — the explorer's "N matching
 * entries" (the histogram's total, the same query), so a bundle's preview count
 * and the explorer's are one number. Checks events:read; not audited, as the
 * charts are not.
 */
export async function countEvents(ledger: Ledger, p: Principal | null, filter: EventFilter): Promise<number> {
  assertCan(p, "events:read");
  return (await queryHistogram(ledger, filter)).total;
}

// ── One entry ──────────────────────────────────────────────────────────────

export type EventDetail = {
  entry: Entry;
  seq: number;
  leafHash: string;
  canonicalJson: string;
  /** The oldest signed checkpoint that covers this entry, if one has been signed yet. */
  checkpoint: { treeSize: number; note: string; keyId: string; createdAt: string } | null;
  /** Set when retention pruned the body (docs/retention.md): `entry` then holds only seq, times, source and id, and canonicalJson is "". */
  pruned: { receiptSeq: number; policy: string | null } | null;
  /** Personal fields (leaf v2) whose value was erased: `entry` lacks them, canonicalJson keeps their commitments. */
  erased: ErasedField[];
};

/** One entry with its canonical bytes and covering checkpoint; checks events:read and records the view. */
export async function viewEvent(ledger: AuditRuntime, p: Principal | null, seq: number): Promise<EventDetail> {
  assertCan(p, "events:read");
  const row = await entryAt(ledger.db, seq);
  if (!row) throw new AppError("not_found", `No entry with seq ${seq}.`);
  await recordRepeatableAudit(ledger, actorOf(p), {
    action: "events.view",
    eventType: "read",
    outcome: "success",
    target: { id: `${EVENTS_TARGET}/${seq}`, type: "event" },
  });
  const cp = await coveringCheckpoint(ledger.db, seq);
  const pruned = row.pruned_by != null ? await prunedBy(ledger.db, Number(row.pruned_by)) : null;
  const [readable] = await readableRows(ledger.db, [row]);
  return {
    entry: readable!.entry,
    erased: readable!.erased,
    seq,
    leafHash: toBase64(new Uint8Array(row.leaf_hash)),
    canonicalJson: pruned ? "" : canonicalEntryFromRow(row),
    checkpoint: cp,
    pruned,
  };
}

async function prunedBy(db: SqlDriver, receiptSeq: number): Promise<NonNullable<EventDetail["pruned"]>> {
  const receipt = await entryAt(db, receiptSeq);
  return { receiptSeq, policy: (receipt && receiptOf(receipt)?.policy) ?? null };
}
