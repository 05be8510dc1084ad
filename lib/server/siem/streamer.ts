import "server-only";
import { toBase64 } from "@/lib/core/bytes.ts";
import type { StreamRecord } from "@/lib/core/siem/record.ts";
import { recordAudit, type Actor } from "../audit/audit-trail.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { Ticker } from "../runtime/ticker.ts";
import { rowToEntry } from "../ledger/entry.ts";
import { latestCheckpointRow } from "../ledger/store/checkpoints.ts";
import { entriesFrom } from "../ledger/store/entries.ts";
import { sendBatch } from "./transport.ts";
import { advanceCursor, listDestinations, recordFailure, type Destination } from "./store.ts";

// Streams the log to each active destination, in seq order, from its durable cursor up
// to the latest signed checkpoint: a record leaves only once a checkpoint covers it, so
// it carries that checkpoint's size as its proof anchor. A failed batch is retried with
// exponential backoff (1 s doubling to 5 min); after `maxAttempts` failures in a row the
// destination is parked as dead-letter, which is a meta-audit entry, until an admin
// resumes or replays it. One pass at a time per process; the cursor's compare-and-set
// keeps a second server process from double-counting.

export const SIEM_ACTOR: Actor = { id: "ledgerline-siem", type: "service", source: "ledgerline:siem" };
export const BACKOFF_MAX_MS = 5 * 60_000;

export type StreamerOptions = { maxAttempts: number; batch: number; log: (m: string) => void };

/** When the batch after a failed one may be tried again (1 s, 2 s, 4 s … 5 min). */
export function nextAttemptAt(d: Pick<Destination, "attempts" | "lastErrorAt">): number {
  if (!d.attempts || !d.lastErrorAt) return 0;
  return Date.parse(d.lastErrorAt) + Math.min(BACKOFF_MAX_MS, 1000 * 2 ** (d.attempts - 1));
}

/** The records seq from+1 … to (at most `limit`), each anchored at checkpoint size `covered`. */
export async function readRecords(ledger: Ledger, from: number, to: number, limit: number, covered: number) {
  const rows = await entriesFrom(ledger.db, from + 1, to, limit);
  return rows.map((row): StreamRecord => ({
    seq: Number(row.seq),
    leafHash: toBase64(row.leaf_hash),
    checkpointSize: covered,
    entry: rowToEntry(row) as StreamRecord["entry"],
  }));
}

export class SiemStreamer {
  private readonly ticker = new Ticker(() => this.passOnce());

  constructor(
    private readonly ledger: Ledger,
    private readonly opts: StreamerOptions,
  ) {}

  start(intervalMs = 1000): void {
    this.ticker.start(intervalMs, (e) => this.opts.log(`siem pass: ${(e as Error).message}`));
  }

  /** Stops the timer and waits for a pass under way (its cursor update must not meet a closed store). */
  stop(): Promise<void> {
    return this.ticker.stop();
  }

  /** One pass over every destination (the running one when a pass is under way). */
  pass(): Promise<void> {
    return this.ticker.run();
  }

  private async passOnce(): Promise<void> {
    const cp = await latestCheckpointRow(this.ledger.db);
    if (!cp) return;
    for (const d of await listDestinations(this.ledger.db)) {
      if (d.state !== "active" || d.cursorSeq >= cp.tree_size || Date.now() < nextAttemptAt(d)) continue;
      await this.drain(d, cp.tree_size).catch((e: unknown) => this.opts.log(`siem ${d.name}: ${(e as Error).message}`));
    }
  }

  /** Sends batches until the destination is at `covered`, fails, or someone moved its cursor. */
  private async drain(d: Destination, covered: number): Promise<void> {
    let cursor = d.cursorSeq;
    const batch = Math.min(5000, Math.max(1, d.options.batch ?? this.opts.batch));
    while (cursor < covered) {
      const records = await readRecords(this.ledger, cursor, covered, batch, covered);
      if (!records.length) return;
      const last = records[records.length - 1]!.seq;
      try {
        await sendBatch(d, records, this.ledger.config.origin);
      } catch (e) {
        await this.failed(d, (e as Error).message);
        return;
      }
      if (!(await advanceCursor(this.ledger.db, d.id, cursor, last, new Date().toISOString()))) return;
      cursor = last;
    }
  }

  private async failed(d: Destination, error: string): Promise<void> {
    const dead = d.attempts + 1 >= this.opts.maxAttempts;
    await recordFailure(this.ledger.db, d.id, error, dead, new Date().toISOString());
    this.opts.log(`siem ${d.name}: batch after seq ${d.cursorSeq} failed (${d.attempts + 1}): ${error}`);
    if (!dead) return;
    await recordAudit(this.ledger, SIEM_ACTOR, {
      eventType: "write",
      action: "siem.dead-letter",
      outcome: "failure",
      target: { id: `ledgerline://siem/${d.name}`, type: "siem-destination" },
      reason: `stopped after ${d.attempts + 1} failed attempts at the batch after seq ${d.cursorSeq}: ${error}`,
      attributes: { destination: d.name, kind: d.kind, cursorSeq: d.cursorSeq },
    }).catch((e: unknown) => this.opts.log(`siem ${d.name}: could not log the dead letter: ${(e as Error).message}`));
  }
}
