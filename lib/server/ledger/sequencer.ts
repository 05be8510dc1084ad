import "server-only";
import {
  CompactRange,
  bytesEqual,
  consistencyProofFrom,
  formatCheckpoint,
  signNote,
  verifyConsistency,
} from "@/lib/core/index.ts";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import type { Param, SqlDriver } from "../db/driver.ts";
import { nowIso } from "../db/ids.ts";
import { insertCheckpoint, latestCheckpointRow } from "./store/checkpoints.ts";
import { logHead } from "./store/entries.ts";
import { secretsOf } from "./store/secrets.ts";
import { withPersonal } from "./personal.ts";
import { keyRetiredAt } from "./store/signing-keys.ts";
import { ENTRY_COLUMNS, eventContent, rowToEntry, type EntryRow } from "./entry.ts";
import { prepareEvent, type PreparedEvent } from "./prepared-event.ts";
import { GroupPlan, groupKey, type AppendResult, type Existing } from "./group-plan.ts";
import { loadCompactRange, storedRangeHasher } from "./tree.ts";
import type { SigningKey } from "./signing.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import { COUNT_BUCKET_CHARS, writeRollups } from "./rollups.ts";

// The one writer. Every append and every checkpoint runs inside one database
// transaction that holds the writer lock, so seq is gapless and the tree never
// forks, even with several server instances on one PostgreSQL. The in-memory
// compact range only ever advances after COMMIT returns; if another instance
// appended in between, it is reloaded from the stored subtree hashes.

export type CheckpointRecord = {
  treeSize: number;
  rootHash: Uint8Array;
  note: string;
  keyId: string;
  createdAt: string;
};

export class IntegrityError extends Error {}

type State = { size: number; range: CompactRange };

type Pending = {
  source: string;
  events: PreparedEvent[];
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
};

// The most events one group commit takes (a request larger than this still goes
// alone). Bounds the transaction and the memory of one plan; admission control
// keeps the queue itself short (lib/server/ingest/admission.ts).
const GROUP_MAX_EVENTS = 10_000;

export class Sequencer {
  private state: State | null = null;
  private lastCheckpointSize = 0;
  private checkpointRunning: Promise<CheckpointRecord | null> | null = null;
  private readonly queue: Pending[] = [];
  private draining = false;
  /** Group commits since start and the append requests they carried (requests / groups = coalescing). */
  readonly stats = { groups: 0, requests: 0 };
  private readonly signedListeners: Array<(record: CheckpointRecord) => void> = [];
  /**
   * The last checkpoint this process signed and committed, from its in-memory tree, while that
   * tree has only grown by this process's own commits since (no reload from the store): a tree
   * grown from it is consistent with it by construction, and proving so from the store cost a
   * quarter of the writer's time at one checkpoint per 1,000 entries (issue 16: ~50 ms of node and
   * leaf reads per signature on PostgreSQL). Any other last checkpoint — another instance's, a
   * row an insider inserted, one after a restart — is still proven from the stored hashes.
   */
  private signedFromMemory: { size: number; root: Uint8Array } | null = null;

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
      // A tree rebuilt from the store is a new lineage: the next signature proves consistency.
      this.signedFromMemory = null;
    }
    return this.state;
  }

  /**
   * Appends a batch for one source atomically; the fields of `personal` (JSON pointers)
   * an event has are committed (leaf v2) with their values kept outside the leaf. Events whose (source, id) is stored
   * with identical content come back as duplicates with their original seq; any
   * id stored with different content aborts the whole batch (nothing appended).
   * Concurrent calls are committed together (group commit: one transaction, one
   * fsync); each still succeeds or fails alone and resolves only after its commit.
   */
  append(source: string, events: NormalizedEvent[], personal: readonly string[] = []): Promise<AppendResult> {
    return this.appendPrepared(
      source,
      events.map((e) => prepareEvent(e, personal)),
    );
  }

  /** append() of events already prepared (validated and cut into canonical parts, e.g. in a worker thread). */
  appendPrepared(source: string, events: PreparedEvent[]): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ source, events, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      // One turn of the event loop: requests that arrived in the same turn join
      // the first group instead of waiting for the next commit.
      setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        const group = takeGroup(this.queue, GROUP_MAX_EVENTS);
        try {
          const results = await this.commitGroup(group);
          group.forEach((p, i) => p.resolve(results[i]!));
        } catch (e) {
          if (group.length === 1) group[0]!.reject(e);
          // A failure nobody planned for (a constraint, a lost connection) must
          // not cost the other requests of the group: each is retried alone.
          else for (const p of group) await this.commitGroup([p]).then((r) => p.resolve(r[0]!), p.reject);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** One transaction for the requests of `group`, in order; the tree moves only after COMMIT. */
  private async commitGroup(group: Pending[]): Promise<AppendResult[]> {
    let committed: State | null = null;
    let signed: CheckpointRecord | null = null;
    const results = await this.db.writeTransaction(async (tx) => {
      const state = await this.sync(tx);
      const existing = await findExisting(tx, group);
      const plan = new GroupPlan(state.size, state.range.clone(), nowIso(), COUNT_BUCKET_CHARS);
      const results = group.map((p) => plan.add(p.source, p.events, existing));
      if (plan.rows.length) {
        await tx.insertMany("entries", [...ENTRY_COLUMNS], plan.rows);
        if (plan.nodes.length) await tx.insertMany("merkle_nodes", ["level", "idx", "hash"], plan.nodes);
        if (plan.secrets.length)
          await tx.insertMany("entry_secrets", ["seq", "pointer", "value", "salt"], plan.secrets);
        await writeRollups(tx, plan);
      }
      committed = { size: plan.size, range: plan.range };
      // Crossing the checkpoint threshold: sign in this same transaction (one
      // fsync instead of two); the checkpoint commits together with its entries.
      // A signing problem must not cost the batch: log it; the timer retries.
      // Only with a key already loaded: loading one registers it in its own
      // transaction, which cannot start while this one holds the writer lock.
      const key = this.opts.loadedSigner();
      if (key && plan.size - this.lastCheckpointSize >= this.opts.checkpointEvery) {
        try {
          signed = await this.signInTx(tx, committed, key);
        } catch (e) {
          this.opts.log?.(`checkpoint failed: ${(e as Error).message}`);
        }
      }
      return results;
    });
    // Only now is the group durable; only now may the tree state move.
    if (committed) this.state = committed;
    this.stats.groups++;
    this.stats.requests += group.length;
    if (signed) this.noteSigned(signed);
    return results;
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
    this.signedFromMemory = { size: record.treeSize, root: record.rootHash };
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
    const memo = this.signedFromMemory;
    if (last && !(memo?.size === lastSize && bytesEqual(memo.root, new Uint8Array(last.root_hash)))) {
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

/** Takes the oldest requests up to `maxEvents` events (always at least one, whatever its size). */
function takeGroup(queue: Pending[], maxEvents: number): Pending[] {
  let n = 0;
  let k = 0;
  while (k < queue.length && (k === 0 || n + queue[k]!.events.length <= maxEvents)) n += queue[k++]!.events.length;
  return queue.splice(0, k);
}

/** Client ids of the group already stored, keyed by (source, id): one query per source and 500 ids. */
async function findExisting(tx: SqlDriver, group: Pending[]): Promise<Existing> {
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
