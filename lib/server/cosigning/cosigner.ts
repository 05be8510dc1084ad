import "server-only";
import { consistencyProofFrom, splitNote } from "@/lib/core/index.ts";
import { nowIso } from "../db/ids.ts";
import { raiseWitnessAlert, type WitnessAlert } from "../integrity/alerts.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { coveringCheckpoint, latestCheckpointRow, type CheckpointRow } from "../ledger/store/checkpoints.ts";
import { insertCosignature, latestCosignatures } from "../ledger/store/cosignatures.ts";
import { storedRangeHasher } from "../ledger/tree.ts";
import type { WitnessEndpoint } from "./config.ts";
import { submitCheckpoint, type SubmitOutcome } from "./submit.ts";

// Cosigning as a log (c2sp.org/tlog-witness): every new checkpoint goes to every witness
// with add-checkpoint — the old size the witness last cosigned for us (learnt from its 409
// when we do not know it), a consistency proof from that size, the checkpoint — and each
// verified cosignature is stored append-only beside its checkpoint. Each witness has its
// own loop, off the append path, with a timeout, retries with backoff and its own state:
// a witness that is down, slow or refusing never delays an append (fail open). What the
// witnesses' answers prove against us — a fork, a rollback, a refused key, a long silence —
// is raised through the integrity alert path once per process and kept for the integrity page.

/** How often due witnesses are retried and silences checked. */
export const TICK_MS = 1000;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
/** After an alert-worthy answer, the same answer is asked for again this rarely. */
const AFTER_ALERT_MS = 60_000;
const KEEP_ALERTS = 20;
/** 409 → learn the size → resend; more rounds than this in one attempt is a confused witness. */
const MAX_ROUNDS = 3;

export type WitnessLive = {
  endpoint: WitnessEndpoint;
  /** The size the witness last cosigned for this log as far as we know (its 409, or its last cosignature). */
  knownSize: number | null;
  lastCosigned: { treeSize: number; cosignedAt: number; receivedAt: string } | null;
  lastAttemptAt: string | null;
  lastError: { at: string; message: string } | null;
  failures: number;
  nextAttemptAt: number;
  busy: Promise<void> | null;
  /** Alerts this process raised for this witness, newest first. */
  alerts: WitnessAlert[];
  silent: boolean;
};

export type CosignerOptions = {
  witnesses: WitnessEndpoint[];
  alertAfterMs: number;
  timeoutMs: number;
  log?: (m: string) => void;
  now?: () => number;
};

export class Cosigner {
  readonly witnesses: WitnessLive[];
  private timer: ReturnType<typeof setInterval> | null = null;
  private loaded: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(
    private readonly ledger: Ledger,
    private readonly opts: CosignerOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.witnesses = opts.witnesses.map((endpoint) => ({
      endpoint,
      knownSize: null,
      lastCosigned: null,
      lastAttemptAt: null,
      lastError: null,
      failures: 0,
      nextAttemptAt: 0,
      busy: null,
      alerts: [],
      silent: false,
    }));
  }

  get alertAfterMs(): number {
    return this.opts.alertAfterMs;
  }

  /** Each witness's last stored cosignature (what survives a restart). */
  load(): Promise<void> {
    this.loaded ??= (async () => {
      const rows = await latestCosignatures(this.ledger.db);
      for (const w of this.witnesses) {
        const r = rows.find((x) => x.witness === w.endpoint.cosigner.name && x.key_id === keyIdOf(w));
        if (r) w.lastCosigned = { treeSize: r.tree_size, cosignedAt: r.cosigned_at, receivedAt: r.received_at };
      }
    })().catch((e) => {
      this.loaded = null;
      throw e;
    });
    return this.loaded;
  }

  /** Starts the retry/silence timer and listens for new checkpoints. */
  start(): void {
    if (this.timer || !this.witnesses.length) return;
    this.ledger.sequencer.onSigned(() => this.kick());
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    this.kick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Sends the latest checkpoint to every witness that is due and not already busy. */
  kick(force = false): void {
    for (const w of this.witnesses) {
      if (w.busy || !w.endpoint.url || (!force && this.now() < w.nextAttemptAt)) continue;
      w.busy = this.attempt(w)
        .catch((e) => this.failed(w, `cosigning failed: ${(e as Error).message}`))
        .finally(() => {
          w.busy = null;
        });
    }
  }

  /** Waits for the attempts in flight; with `force`, first sends to every witness now, backoff or not. */
  async settle(opts: { force?: boolean; deadlineMs?: number } = {}): Promise<void> {
    if (opts.force) this.kick(true);
    const all = Promise.all(this.witnesses.map((w) => w.busy));
    if (opts.deadlineMs === undefined) await all;
    else await Promise.race([all, new Promise((r) => setTimeout(r, opts.deadlineMs).unref())]);
  }

  private tick(): void {
    this.kick();
    this.checkSilences().catch((e) => this.opts.log?.(`witness silence check failed: ${(e as Error).message}`));
  }

  /** One witness, the latest checkpoint: send, learn its size, resend — at most MAX_ROUNDS requests. */
  private async attempt(w: WitnessLive): Promise<void> {
    await this.load();
    const cp = await latestCheckpointRow(this.ledger.db);
    if (!cp || (w.lastCosigned && w.lastCosigned.treeSize >= cp.tree_size)) return;
    const split = splitNote(cp.note);
    if (!split.ok) return this.failed(w, `our checkpoint ${cp.tree_size} is not a signed note: ${split.reason}`);
    w.lastAttemptAt = nowIso();
    let old = w.knownSize ?? w.lastCosigned?.treeSize ?? 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (old > cp.tree_size) {
        return this.alert(
          w,
          cp,
          old,
          "rollback",
          `${w.endpoint.label} already cosigned a tree of size ${old}, larger than our latest checkpoint ${cp.tree_size}: this log was rolled back, or the witness was shown another tree`,
        );
      }
      const proof =
        old === 0 || old === cp.tree_size
          ? []
          : await consistencyProofFrom(old, cp.tree_size, storedRangeHasher(this.ledger.db));
      const outcome = await submitCheckpoint({
        url: w.endpoint.url!,
        cosigner: w.endpoint.cosigner,
        note: cp.note,
        text: split.text,
        treeSize: cp.tree_size,
        oldSize: old,
        proof,
        timeoutMs: this.opts.timeoutMs,
      });
      if (outcome.kind !== "size") return this.settled(w, cp, old, outcome);
      if (outcome.size === old) return this.failed(w, `answered 409 with the size we sent (${old})`);
      w.knownSize = outcome.size;
      old = outcome.size;
    }
    return this.failed(w, `no agreement on the old size after ${MAX_ROUNDS} requests`);
  }

  private async settled(w: WitnessLive, cp: CheckpointRow, old: number, o: Exclude<SubmitOutcome, { kind: "size" }>) {
    switch (o.kind) {
      case "cosigned":
        return this.store(w, cp, o.lines);
      case "fork":
        return this.alert(
          w,
          cp,
          old,
          "fork",
          `${w.endpoint.label} holds a tree this log's checkpoint ${cp.tree_size} is not consistent with (${o.detail})`,
        );
      case "refused":
        return this.alert(
          w,
          cp,
          null,
          "refused",
          `${w.endpoint.label} refused our checkpoint (${o.status}: ${o.detail}); does it follow this log's current key and origin?`,
        );
      case "busy":
        w.nextAttemptAt = this.now() + o.retryAfterMs;
        w.lastError = { at: nowIso(), message: `rate limited; retrying in ${Math.round(o.retryAfterMs / 1000)} s` };
        return;
      case "error":
        return this.failed(w, o.detail);
    }
  }

  private async store(
    w: WitnessLive,
    cp: CheckpointRow,
    lines: Array<{ line: string; keyId: string; timestamp: number }>,
  ) {
    const receivedAt = nowIso();
    for (const l of lines) {
      await insertCosignature(this.ledger.db, {
        tree_size: cp.tree_size,
        witness: w.endpoint.cosigner.name,
        key_id: l.keyId,
        cosigned_at: l.timestamp,
        line: l.line,
        received_at: receivedAt,
      });
    }
    const t = Math.max(...lines.map((l) => l.timestamp));
    w.lastCosigned = { treeSize: cp.tree_size, cosignedAt: t, receivedAt };
    w.knownSize = cp.tree_size;
    w.failures = 0;
    w.nextAttemptAt = 0;
    w.lastError = null;
    if (w.silent) this.opts.log?.(`witness ${w.endpoint.label} cosigns again (tree size ${cp.tree_size})`);
    w.silent = false;
  }

  private failed(w: WitnessLive, message: string): void {
    w.failures++;
    const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(w.failures - 1, 10));
    w.nextAttemptAt = this.now() + backoff * (0.8 + Math.random() * 0.4);
    w.lastError = { at: nowIso(), message };
    if (w.failures === 1 || w.failures % 10 === 0)
      this.opts.log?.(`witness ${w.endpoint.label}: ${message} (attempt ${w.failures}; retrying with backoff)`);
  }

  private async alert(
    w: WitnessLive,
    cp: CheckpointRow,
    witnessSize: number | null,
    kind: WitnessAlert["kind"],
    detail: string,
  ) {
    w.lastError = { at: nowIso(), message: detail };
    w.nextAttemptAt = this.now() + AFTER_ALERT_MS;
    // Once per witness, kind and sizes in this process: the same answer every minute is one finding.
    if (w.alerts.some((a) => a.kind === kind && a.treeSize === cp.tree_size && a.witnessSize === witnessSize)) return;
    await this.raise(w, { kind, detail, treeSize: cp.tree_size, witnessSize });
  }

  private async raise(w: WitnessLive, a: Pick<WitnessAlert, "kind" | "detail" | "treeSize" | "witnessSize">) {
    const alert: WitnessAlert = {
      type: "ledgerline.witness.alert",
      origin: this.ledger.config.origin,
      witness: w.endpoint.label,
      vkey: w.endpoint.vkey,
      detectedAt: nowIso(),
      ...a,
    };
    w.alerts.unshift(alert);
    w.alerts.length = Math.min(w.alerts.length, KEEP_ALERTS);
    await raiseWitnessAlert(this.ledger, alert);
  }

  /** A witness behind for longer than alertAfterMs raises one "silent" alert until it catches up. */
  async checkSilences(): Promise<void> {
    const cp = await latestCheckpointRow(this.ledger.db);
    if (!cp) return;
    for (const w of this.witnesses) {
      const lag = await this.lagOf(w, cp);
      if (w.silent || lag.seconds === null || lag.seconds * 1000 < this.opts.alertAfterMs) continue;
      w.silent = true;
      await this.raise(w, {
        kind: "silent",
        detail: `${w.endpoint.label} has not cosigned for ${lag.seconds} s (${lag.entries} entries behind; last error: ${w.lastError?.message ?? "none"})`,
        treeSize: cp.tree_size,
        witnessSize: w.lastCosigned?.treeSize ?? null,
      });
    }
  }

  /** How far `w` is behind `cp`: entries, and seconds since the oldest checkpoint it has not cosigned was signed. */
  async lagOf(
    w: WitnessLive,
    cp: Pick<CheckpointRow, "tree_size">,
  ): Promise<{ entries: number; seconds: number | null }> {
    await this.load();
    const have = w.lastCosigned?.treeSize ?? 0;
    if (have >= cp.tree_size) return { entries: 0, seconds: 0 };
    const first = await coveringCheckpoint(this.ledger.db, have + 1);
    const since = first ? Math.max(0, Math.floor((this.now() - Date.parse(first.createdAt)) / 1000)) : null;
    return { entries: cp.tree_size - have, seconds: since };
  }
}

function keyIdOf(w: WitnessLive): string {
  return w.endpoint.vkey.split("+")[1]!.toLowerCase();
}
