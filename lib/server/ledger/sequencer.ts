import "server-only";
import { bytesEqual, consistencyProofFrom, formatCheckpoint, signNote, verifyConsistency } from "@/lib/core/index.ts";
import type { NormalizedEvent } from "@/lib/schemas/event.ts";
import { NeedsTransaction, type SqlDriver } from "../db/driver.ts";
import { nowIso } from "../db/ids.ts";
import {
  LATEST_CHECKPOINT_SQL,
  insertCheckpoint,
  latestCheckpointRow,
  type CheckpointRow,
} from "./store/checkpoints.ts";
import { LOG_HEAD_SQL, logHead } from "./store/entries.ts";
import { keyRetiredAt } from "./store/signing-keys.ts";
import { ENTRY_COLUMNS } from "./entry.ts";
import { prepareEvent, type PreparedEvent } from "./prepared-event.ts";
import { GroupPlan, type AppendResult } from "./group-plan.ts";
import {
  GROUP_MAX_EVENTS,
  countEvents,
  findExisting,
  groupKeys,
  mayPlanOnTop,
  takeGroup,
  type Flight,
  type Pending,
  type Planned,
  type SignedMemo,
  type State,
} from "./group-queue.ts";
import { loadCompactRange, storedRangeHasher } from "./tree.ts";
import type { SigningKey } from "./signing.ts";
import { nodeHasher } from "@/lib/node-hasher.ts";
import { COUNT_BUCKET_CHARS, writeRollups } from "./rollups.ts";

// The one writer. Every append and every checkpoint runs inside one database
// transaction that holds the writer lock, so seq is gapless and the tree never
// forks, even with several server instances on one PostgreSQL. The in-memory
// compact range only ever advances after COMMIT returns; if another instance
// appended in between, it is reloaded from the stored subtree hashes. On SQLite a
// group commit is a plan whose writes the writer thread commits after reading
// again what the plan read (db/write-batch.ts): same answers, same commit.

export type CheckpointRecord = {
  treeSize: number;
  rootHash: Uint8Array;
  note: string;
  keyId: string;
  createdAt: string;
};

export class IntegrityError extends Error {}

export class Sequencer {
  private state: State | null = null;
  private lastCheckpointSize = 0;
  private checkpointRunning: Promise<CheckpointRecord | null> | null = null;
  private readonly queue: Pending[] = [];
  private draining = false;
  /** Wakes the drain waiting on a group ahead when a request arrives. */
  private wake: (() => void) | null = null;
  /**
   * Group commits since start, the append requests they carried (requests / groups = coalescing)
   * and the groups committed as planned on top of the group ahead (Sequencer.drain).
   */
  readonly stats = { groups: 0, requests: 0, onTop: 0 };
  private readonly signedListeners: Array<(record: CheckpointRecord) => void> = [];
  /**
   * The last checkpoint this process signed and committed, from its in-memory tree, while that
   * tree has only grown by this process's own commits since (no reload from the store): a tree
   * grown from it is consistent with it by construction, and proving so from the store cost a
   * quarter of the writer's time at one checkpoint per 1,000 entries (issue 16: ~50 ms of node and
   * leaf reads per signature on PostgreSQL). Any other last checkpoint — another instance's, a
   * row an insider inserted, one after a restart — is still proven from the stored hashes.
   */
  private signedFromMemory: SignedMemo | null = null;

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
      this.wake?.();
      if (this.draining) return;
      this.draining = true;
      // One turn of the event loop: requests that arrived in the same turn join
      // the first group instead of waiting for the next commit.
      setImmediate(() => void this.drain());
    });
  }

  /**
   * Commits the queue group by group. On SQLite's writer thread a group may be planned while
   * the one ahead of it is still being committed (never more than that one), so the thread goes
   * from one commit to the next instead of waiting for each plan: once 1,000 events wait and
   * at least as many as the group ahead carries, none repeating one of its client ids (the plan
   * could not see it stored) — group-queue.ts, mayPlanOnTop. Else, or elsewhere, one group at
   * a time.
   */
  private async drain(): Promise<void> {
    let ahead: Flight | null = null;
    try {
      for (;;) {
        if (ahead?.done) ahead = null;
        if (!this.queue.length && !ahead) break;
        if (ahead && !mayPlanOnTop(this.queue, ahead)) {
          await Promise.race([ahead.settled, new Promise<void>((r) => (this.wake = r))]);
          this.wake = null;
          continue;
        }
        const run = this.runGroup(takeGroup(this.queue, GROUP_MAX_EVENTS), ahead);
        const flight = await run.sent;
        if (ahead) await ahead.settled;
        ahead = flight;
        if (!flight) await run.settled;
      }
    } finally {
      this.draining = false;
    }
  }

  /** Commits one group and answers its requests; `sent` once its batch is with the writer thread (null: not sent as one). */
  private runGroup(group: Pending[], ahead: Flight | null): { sent: Promise<Flight | null>; settled: Promise<void> } {
    let onSent!: (f: Flight | null) => void;
    const sent = new Promise<Flight | null>((r) => (onSent = r));
    let flight: Flight | null = null;
    const settled: Promise<void> = (async () => {
      try {
        const results = await this.commitGroup(group, ahead, (f) => {
          if (f) flight = { ...f, keys: groupKeys(group), events: countEvents(group), settled, done: false };
          onSent(flight);
        });
        group.forEach((p, i) => p.resolve(results[i]!));
      } catch (e) {
        // A failure nobody planned for (a constraint, a lost connection) must
        // not cost the other requests of the group: each is retried alone. Not when
        // the commit may have landed (the writer thread died during it): a retry
        // could store events without client ids twice, so each request fails and
        // its client, told so, decides.
        if (group.length === 1 || (e as { outcomeUnknown?: boolean }).outcomeUnknown)
          for (const p of group) p.reject(e);
        else for (const p of group) await this.commitGroup([p]).then((r) => p.resolve(r[0]!), p.reject);
      } finally {
        if (flight) (flight as Flight).done = true;
        // Both drivers report every plan (PlanOptions.sent); should one not, the drain goes on.
        onSent(flight);
      }
    })();
    return { sent, settled };
  }

  /**
   * One transaction for the requests of `group`, in order; the tree moves only after COMMIT.
   * A plan (SqlDriver.plannedWrite): every read comes before the first write, so on SQLite the
   * writes commit on the writer thread. With `ahead` (a group still being committed) and a
   * plan that can state reads (expect), it is planned on top of that group: the tree, the log's
   * head and the last checkpoint are the ones that group leaves, stated for the writer thread
   * to check, and it commits only after that group did.
   */
  private async commitGroup(
    group: Pending[],
    ahead: Flight | null = null,
    sent?: (f: Planned | null) => void,
  ): Promise<AppendResult[]> {
    // What the last run of the plan leaves (plannedWrite may run it twice): the tree once
    // committed, and the checkpoint it signs.
    let planned: Omit<Planned, "batch"> | null = null;
    let signed: CheckpointRecord | null = null;
    let onTopOf: Flight | null = null;
    const results = await this.db.plannedWrite(
      async (tx) => {
        signed = planned = null;
        const onTop = (onTopOf = ahead && tx.expect ? ahead : null);
        let state: State;
        if (onTop) {
          state = onTop.state;
          tx.expect!(LOG_HEAD_SQL, [], [{ n: state.size || null }]);
        } else state = await this.sync(tx);
        const memo = onTop ? onTop.memo : this.signedFromMemory;
        const existing = await findExisting(tx, group);
        const plan = new GroupPlan(state.size, state.range.clone(), nowIso(), COUNT_BUCKET_CHARS);
        const results = group.map((p) => plan.add(p.source, p.events, existing));
        const next: State = { size: plan.size, range: plan.range };
        // Crossing the checkpoint threshold: sign in this same transaction (one
        // fsync instead of two); the checkpoint commits together with its entries.
        // A signing problem must not cost the batch: log it; the timer retries.
        // Only with a key already loaded: loading one registers it in its own
        // transaction, which cannot start while this one holds the writer lock.
        // What signing reads (the last checkpoint, the key's retirement) the group's
        // writes do not touch: read before them.
        const key = this.opts.loadedSigner();
        const lastSize = onTop?.checkpoint?.tree_size ?? this.lastCheckpointSize;
        const signing =
          key && plan.size - lastSize >= this.opts.checkpointEvery
            ? await readSignInputs(tx, key, onTop?.checkpoint ?? null).catch((e: unknown) => this.signingFailed(e))
            : null;
        if (plan.rows.length) {
          await tx.insertMany("entries", [...ENTRY_COLUMNS], plan.rows);
          if (plan.nodes.length) await tx.insertMany("merkle_nodes", ["level", "idx", "hash"], plan.nodes);
          if (plan.secrets.length)
            await tx.insertMany("entry_secrets", ["seq", "pointer", "value", "salt"], plan.secrets);
          await writeRollups(tx, plan);
        }
        if (key && signing) {
          signed = await this.signInTx(tx, next, key, signing, memo).catch((e: unknown) => this.signingFailed(e));
        }
        const s = signed as CheckpointRecord | null;
        planned = {
          state: next,
          checkpoint: s ? checkpointRow(s) : null,
          memo: s ? { size: s.treeSize, root: s.rootHash } : memo,
        };
        return results;
      },
      {
        after: ahead?.batch,
        sent: (batch) => sent?.(batch === null || !planned ? null : { ...(planned as Omit<Planned, "batch">), batch }),
      },
    );
    // Only now is the group durable; only now may the tree state move.
    if (planned) this.state = (planned as Omit<Planned, "batch">).state;
    this.stats.groups++;
    this.stats.requests += group.length;
    if (onTopOf) this.stats.onTop++;
    if (signed) this.noteSigned(signed);
    return results;
  }

  /** A checkpoint the group could not sign: logged (the timer retries); a plan that must run in a transaction goes on. */
  private signingFailed(e: unknown): null {
    if (e instanceof NeedsTransaction) throw e;
    this.opts.log?.(`checkpoint failed: ${(e as Error).message}`);
    return null;
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
    const record = await this.db.writeTransaction(async (tx) => {
      const state = await this.sync(tx);
      return this.signInTx(tx, state, signer, await readSignInputs(tx, signer), this.signedFromMemory);
    });
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
      const state = await this.sync(tx);
      const r = await this.signInTx(tx, state, signer, await readSignInputs(tx, signer), this.signedFromMemory);
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
  private async signInTx(
    tx: SqlDriver,
    state: State,
    signer: SigningKey,
    { last, retiredAt }: SignInputs,
    memo: SignedMemo | null,
  ): Promise<CheckpointRecord | null> {
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
    if (retiredAt) {
      this.opts.log?.(
        `signing key ${signer.keyIdHex} was retired at ${retiredAt}; not signing with it` +
          (signer.origin === "env" ? " (restart this instance with the current LEDGERLINE_SIGNING_KEY)" : ""),
      );
      return null;
    }
    const root = state.range.root();
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
    await insertCheckpoint(tx, checkpointRow(rec));
    return rec;
  }
}

type SignInputs = { last: CheckpointRow | null; retiredAt: string | null | undefined };

/**
 * What signing reads: the last checkpoint, and whether the key was retired. `known`: the last
 * checkpoint as a group still being committed will leave it (stated, not read: SqlDriver.expect).
 */
async function readSignInputs(
  tx: SqlDriver,
  signer: SigningKey,
  known: CheckpointRow | null = null,
): Promise<SignInputs> {
  if (known) tx.expect!(LATEST_CHECKPOINT_SQL, [], [known]);
  return { last: known ?? (await latestCheckpointRow(tx)), retiredAt: await keyRetiredAt(tx, signer.keyIdHex) };
}

/** The `checkpoints` row of a signed checkpoint (as inserted, and as read back). */
function checkpointRow(r: CheckpointRecord): CheckpointRow {
  return { tree_size: r.treeSize, root_hash: r.rootHash, note: r.note, key_id: r.keyId, created_at: r.createdAt };
}
