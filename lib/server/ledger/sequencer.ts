import "server-only";
import {
  CompactRange,
  consistencyProofFrom,
  formatCheckpoint,
  signNote,
  toBase64,
  verifyConsistency,
} from "@/lib/core/index.ts";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import type { SqlDriver } from "../db/driver.ts";
import { nowIso, uuidv7 } from "../db/ids.ts";
import { insertCheckpoint, latestCheckpointRow } from "./store/checkpoints.ts";
import { logHead } from "./store/entries.ts";
import { keyRetiredAt } from "./store/signing-keys.ts";
import { ENTRY_COLUMNS, buildEntry, entryToRow, eventContent, leafHashOf, rowToEntry, type EntryRow } from "./entry.ts";
import { isStoredLevel, loadCompactRange, storedRangeHasher } from "./tree.ts";
import type { SigningKey } from "./signing.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";

/**
 * The explorer's histogram rollup (migration 0004, `entry_counts`): entries per
 * 10-minute bucket of the claimed timestamp (its first 15 characters) and outcome,
 * kept in the append transaction so it can never disagree with a committed batch.
 * Derived data for charts only — nothing is proven from it.
 */
export const COUNT_BUCKET_CHARS = 15;
const COUNT_UPSERT =
  "INSERT INTO entry_counts (bucket, outcome, n) VALUES (?, ?, ?) ON CONFLICT (bucket, outcome) DO UPDATE SET n = entry_counts.n + excluded.n";

// The one writer. Every append and every checkpoint runs inside one database
// transaction that holds the writer lock, so seq is gapless and the tree never
// forks, even with several server instances on one PostgreSQL. The in-memory
// compact range only ever advances after COMMIT returns; if another instance
// appended in between, it is reloaded from the stored subtree hashes.

export type AppendItem =
  { status: "accepted"; id: string; seq: number; leafHash: string } | { status: "duplicate"; id: string; seq: number };

export type Conflict = { index: number; id: string; seq: number };

export type AppendResult = { ok: true; items: AppendItem[]; treeSize: number } | { ok: false; conflicts: Conflict[] };

export type CheckpointRecord = {
  treeSize: number;
  rootHash: Uint8Array;
  note: string;
  keyId: string;
  createdAt: string;
};

export class IntegrityError extends Error {}

type State = { size: number; range: CompactRange };

export class Sequencer {
  private state: State | null = null;
  private lastCheckpointSize = 0;
  private checkpointRunning: Promise<CheckpointRecord | null> | null = null;
  private readonly signedListeners: Array<(record: CheckpointRecord) => void> = [];

  constructor(
    private readonly db: SqlDriver,
    private readonly opts: {
      origin: string;
      /** Loads (once) the signing key. */
      signer: () => Promise<SigningKey>;
      /** The key if already loaded, else null; appends sign inline only then. */
      loadedSigner: () => SigningKey | null;
      checkpointEvery: number;
      log?: (m: string) => void;
    },
  ) {}

  /** Tree size the last commit seen by this process left (may lag other instances). */
  get size(): number {
    return this.state?.size ?? 0;
  }

  private async sync(tx: SqlDriver): Promise<State> {
    const size = await logHead(tx);
    if (!this.state || this.state.size !== size) {
      this.state = { size, range: await loadCompactRange(tx, size) };
    }
    return this.state;
  }

  /**
   * Appends a batch for one source atomically. Events whose (source, id) is stored
   * with identical content come back as duplicates with their original seq; any
   * id stored with different content aborts the whole batch (nothing appended).
   */
  async append(source: string, events: NormalizedEvent[]): Promise<AppendResult> {
    let committed: State | null = null;
    let signed: CheckpointRecord | null = null;
    const result = await this.db.writeTransaction(async (tx): Promise<AppendResult> => {
      const state = await this.sync(tx);
      const withIds = events.map((e) =>
        e.id === undefined ? { ...e, id: uuidv7() } : (e as NormalizedEvent & { id: string }),
      );
      const existing = await findExisting(
        tx,
        source,
        withIds.filter((e, i) => events[i]!.id !== undefined).map((e) => e.id),
      );

      const range = state.range.clone();
      let size = state.size;
      const receivedAt = nowIso();
      const items: AppendItem[] = [];
      const conflicts: Conflict[] = [];
      const inBatch = new Map<string, { seq: number; event: NormalizedEvent & { id: string } }>();
      const rows: unknown[][] = [];
      const nodes: unknown[][] = [];
      const counts = new Map<string, number>();

      withIds.forEach((event, index) => {
        // Server-assigned ids are fresh UUIDv7s: only client ids can repeat, and
        // only a repeat pays for the content comparison.
        if (events[index]!.id !== undefined) {
          const stored = existing.get(event.id);
          const earlier = inBatch.get(event.id);
          if (stored || earlier) {
            const seq = (stored ?? earlier)!.seq;
            const same = (stored ? stored.content : eventContent(earlier!.event)) === eventContent(event);
            if (same) items.push({ status: "duplicate", id: event.id, seq });
            else conflicts.push({ index, id: event.id, seq });
            return;
          }
        }
        const entry = buildEntry(event, ++size, receivedAt, source);
        const countKey = `${entry.timestamp.slice(0, COUNT_BUCKET_CHARS)}\u0000${entry.outcome}`;
        counts.set(countKey, (counts.get(countKey) ?? 0) + 1);
        const leaf = leafHashOf(entry);
        rows.push(entryToRow(entry, leaf));
        for (const n of range.append(leaf)) {
          if (isStoredLevel(n.level)) nodes.push([n.level, n.index, n.hash]);
        }
        if (events[index]!.id !== undefined) inBatch.set(event.id, { seq: entry.seq, event });
        items.push({ status: "accepted", id: event.id, seq: entry.seq, leafHash: toBase64(leaf) });
      });

      if (conflicts.length) return { ok: false, conflicts };
      if (rows.length) {
        await tx.insertMany("entries", [...ENTRY_COLUMNS], rows as never);
        if (nodes.length) await tx.insertMany("merkle_nodes", ["level", "idx", "hash"], nodes as never);
        for (const [key, n] of counts) {
          const [bucket, outcome] = key.split("\u0000") as [string, string];
          await tx.run(COUNT_UPSERT, [bucket, outcome, n]);
        }
      }
      committed = { size, range };
      // Crossing the checkpoint threshold: sign in this same transaction (one
      // fsync instead of two); the checkpoint commits together with its entries.
      // A signing problem must not cost the batch: log it; the timer retries.
      // Only with a key already loaded: loading one registers it in its own
      // transaction, which cannot start while this one holds the writer lock.
      const key = this.opts.loadedSigner();
      if (key && size - this.lastCheckpointSize >= this.opts.checkpointEvery) {
        try {
          signed = await this.signInTx(tx, committed, key);
        } catch (e) {
          this.opts.log?.(`checkpoint failed: ${(e as Error).message}`);
        }
      }
      return { ok: true, items, treeSize: size };
    });
    // Only now is the batch durable; only now may the tree state move.
    if (committed) this.state = committed;
    if (signed) this.noteSigned(signed);
    return result;
  }

  /**
   * Signs a checkpoint of the current tree when it grew since the last one, after
   * proving the new tree consistent with the previous checkpoint. Concurrent
   * callers share one run.
   */
  checkpoint(): Promise<CheckpointRecord | null> {
    this.checkpointRunning ??= this.signCheckpoint().finally(() => {
      this.checkpointRunning = null;
    });
    return this.checkpointRunning;
  }

  private async signCheckpoint(): Promise<CheckpointRecord | null> {
    const signer = await this.opts.signer();
    const record = await this.db.writeTransaction(async (tx) => this.signInTx(tx, await this.sync(tx), signer));
    if (record) this.noteSigned(record);
    return record;
  }

  /**
   * Signs a checkpoint with `signer` (if the tree grew) and then runs `then` in
   * the same write transaction: key rotation uses it so the old key covers every
   * entry up to the switch and nothing can be signed in between.
   */
  async checkpointWith(
    signer: SigningKey,
    then?: (tx: SqlDriver, signed: CheckpointRecord | null) => Promise<void>,
  ): Promise<CheckpointRecord | null> {
    const record = await this.db.writeTransaction(async (tx) => {
      const r = await this.signInTx(tx, await this.sync(tx), signer);
      await then?.(tx, r);
      return r;
    });
    if (record) this.noteSigned(record);
    return record;
  }

  /**
   * Calls `listener` after each checkpoint this process signs has committed (the cosigner
   * sends it to the witnesses). Listeners run synchronously and must not throw or block.
   */
  onSigned(listener: (record: CheckpointRecord) => void): void {
    this.signedListeners.push(listener);
  }

  private noteSigned(record: CheckpointRecord): void {
    this.lastCheckpointSize = record.treeSize;
    this.opts.log?.(`checkpoint signed: tree size ${record.treeSize}`);
    for (const l of this.signedListeners) {
      try {
        l(record);
      } catch (e) {
        this.opts.log?.(`checkpoint listener failed: ${(e as Error).message}`);
      }
    }
  }

  /** Signs `state` inside the caller's write transaction, after proving it consistent with the last checkpoint. */
  private async signInTx(tx: SqlDriver, state: State, signer: SigningKey): Promise<CheckpointRecord | null> {
    const last = await latestCheckpointRow(tx);
    const lastSize = last?.tree_size ?? 0;
    this.lastCheckpointSize = lastSize;
    if (state.size === 0 || state.size === lastSize) return null;
    if (state.size < lastSize) {
      throw new IntegrityError(
        `the log has ${state.size} entries but checkpoint ${lastSize} was signed: refusing to sign a rollback`,
      );
    }
    // A key retired meanwhile (rotated by the CLI, or another instance started
    // with a newer key) must not sign: its checkpoint would fall outside its
    // validity. The next checkpoint() reloads the key file; an env key needs a restart.
    const retiredAt = await keyRetiredAt(tx, signer.keyIdHex);
    if (retiredAt) {
      this.opts.log?.(
        `signing key ${signer.keyIdHex} was retired at ${retiredAt}; not signing with it` +
          (signer.origin === "env" ? " (restart this instance with the current LEDGERLINE_SIGNING_KEY)" : ""),
      );
      return null;
    }
    const root = state.range.root();
    if (last) {
      const proof = await consistencyProofFrom(lastSize, state.size, storedRangeHasher(tx));
      if (!verifyConsistency(lastSize, state.size, new Uint8Array(last.root_hash), root, proof, nodeHasher)) {
        throw new IntegrityError(
          `tree of size ${state.size} is not consistent with checkpoint ${lastSize}: refusing to sign a fork`,
        );
      }
    }
    const note = signNote(formatCheckpoint({ origin: this.opts.origin, size: state.size, rootHash: root }), [
      { name: signer.name, seed: signer.seed },
    ]);
    const rec: CheckpointRecord = {
      treeSize: state.size,
      rootHash: root,
      note,
      keyId: signer.keyIdHex,
      createdAt: nowIso(),
    };
    await insertCheckpoint(tx, {
      tree_size: rec.treeSize,
      root_hash: rec.rootHash,
      note: rec.note,
      key_id: rec.keyId,
      created_at: rec.createdAt,
    });
    return rec;
  }
}

async function findExisting(
  tx: SqlDriver,
  source: string,
  ids: string[],
): Promise<Map<string, { seq: number; content: string }>> {
  const found = new Map<string, { seq: number; content: string }>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = await tx.all<EntryRow>(
      `SELECT * FROM entries WHERE source = ? AND event_id IN (${chunk.map(() => "?").join(", ")})`,
      [source, ...chunk],
    );
    for (const r of rows) found.set(r.event_id, { seq: Number(r.seq), content: eventContent(rowToEntry(r)) });
  }
  return found;
}
