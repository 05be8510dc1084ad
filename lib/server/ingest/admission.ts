import "server-only";
import { AppError } from "../errors.ts";
import type { Config } from "../config.ts";
import type { Ledger } from "../ledger/ledger.ts";
import type { WorkerPool } from "../workers/pool.ts";
import { RateLimiter } from "./rate-limit.ts";

// Load shedding for ingest. Past the server's capacity, work queues — requests
// whose bodies wait to be parsed and validated on the one JS thread, batches that
// wait for the one writer — and a queue that only grows turns 5× overload into
// 30-second answers that clients time out on (and retry, growing it further).
// So a request is refused at once with 503 + Retry-After, before anything is
// stored, while more than `maxInflightRequests` ingest requests are already being
// served by this process, or more than `maxPendingEvents` events wait for the
// writer. Meta-audit records of dashboard users are never shed (they go straight
// to the sequencer); only machine ingest is.

/**
 * This process's ingest gate for one ledger: the per-key token buckets, the
 * admission counters and the event-loop lag sampler. It hangs off the Runtime
 * (lib/server/runtime/runtime.ts), so a test that makes a runtime gets a fresh one.
 */
export type IngestGate = {
  limiter: RateLimiter;
  pending: number;
  inflight: number;
  lag: LagSampler;
  /** Set at graceful shutdown: every new append is refused (503) so the last checkpoint covers all acknowledged entries. */
  closing: boolean;
  /** When the checkpoint timer fires next (ms since the epoch); null when no timer runs (CLI, tests). */
  nextCheckpointAt: number | null;
};

/** The part of a Runtime that ingest needs: the ledger and its gate. */
export type IngestRuntime = Ledger & { ingest: IngestGate; workers: WorkerPool };

export function createIngestGate(config: Config): IngestGate {
  const { rateLimit, rateBurst, maxBatch } = config;
  return {
    limiter: new RateLimiter(rateLimit, Math.max(rateBurst, maxBatch)),
    pending: 0,
    inflight: 0,
    lag: new LagSampler(),
    closing: false,
    nextCheckpointAt: null,
  };
}

/** Events of this ledger's ingest requests now waiting for (or in) the writer. */
export function pendingEvents(rt: IngestRuntime): number {
  return rt.ingest.pending;
}

/** Ingest requests this process is serving now. */
export function inflightRequests(rt: IngestRuntime): number {
  return rt.ingest.inflight;
}

function busy(what: string): AppError {
  return new AppError(
    "unavailable",
    `The log is busy: ${what}. Nothing of this request was stored; retry after the delay.`,
    { retryAfter: 1 },
  );
}

function shuttingDown(): AppError {
  return new AppError(
    "unavailable",
    "The server is shutting down: nothing of this request was stored. Retry after the delay (another instance, or this one once restarted).",
    { retryAfter: 5 },
  );
}

/**
 * Graceful shutdown, first step: refuse every new append, then wait (at most `timeoutMs`)
 * for the appends already admitted. Returns how many events still wait (0 when drained).
 */
export async function closeIngest(rt: IngestRuntime, timeoutMs: number): Promise<number> {
  rt.ingest.closing = true;
  const until = Date.now() + timeoutMs;
  while (rt.ingest.pending > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  return rt.ingest.pending;
}

/**
 * By when a checkpoint will cover entries acknowledged now: the checkpoint timer's next
 * tick (LEDGERLINE_CHECKPOINT_INTERVAL apart; at shutdown the server signs before it exits).
 */
export function coveredBy(rt: IngestRuntime, now = Date.now()): string {
  const next = rt.ingest.nextCheckpointAt ?? now + rt.config.checkpointIntervalMs;
  return new Date(Math.max(now, next)).toISOString();
}

// Event-loop lag: how late a 100 ms timer fires. The requests of a CPU-bound
// backlog wait in socket buffers before any handler runs (each one, once started,
// finishes almost at once), so no counter of ours sees them; late timers do. Only
// a lag that persists counts — the last LAG_SAMPLES samples all past the limit —
// so one long pause (a GC, a synchronous task, a child process started with
// spawnSync in a test) never refuses the request that follows it.
const LAG_SAMPLES = 3;

export class LagSampler {
  private readonly samples: number[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;

  /** Started on the first ingest request, not at start-up: a CLI or a test that never ingests runs no timer. */
  start(): void {
    if (this.timer) return;
    let last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.samples.push(Math.max(0, now - last - 100));
      if (this.samples.length > LAG_SAMPLES) this.samples.shift();
      last = now;
    }, 100);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The smallest of the recent lag samples in ms: how far behind the loop has stayed. */
  lag(): number {
    return this.samples.length < LAG_SAMPLES ? 0 : Math.min(...this.samples);
  }
}

/**
 * Counts one ingest request as being served until `release` is called, or throws
 * 503 when this process already serves its limit or its event loop lags behind.
 */
export function enterIngest(rt: IngestRuntime): () => void {
  const s = rt.ingest;
  if (s.closing) throw shuttingDown();
  s.lag.start();
  if (s.inflight >= rt.config.maxInflightRequests) throw busy(`${s.inflight} ingest requests are being served`);
  const lag = s.lag.lag();
  if (lag > rt.config.maxEventLoopLagMs) throw busy(`the server has stayed ${Math.round(lag)} ms behind`);
  s.inflight++;
  let released = false;
  return () => {
    if (!released) s.inflight--;
    released = true;
  };
}

/** Refuses early (before the body is read) when the writer's queue is already full. */
export function assertNotBusy(rt: IngestRuntime): void {
  const s = rt.ingest;
  if (s.pending >= rt.config.maxPendingEvents) throw busy(`${s.pending} events are waiting to be written`);
  // Bodies queued for the worker threads: each is a request already read, waiting for a core.
  const queued = rt.workers.pending();
  if (queued >= rt.config.maxInflightRequests) throw busy(`${queued} request bodies are waiting to be validated`);
}

/**
 * Runs `fn` (the append of `n` events) counted as pending, or throws 503 when
 * admitting them would pass the limit. One request is always admitted when
 * nothing waits, whatever its size.
 */
export async function withAdmission<T>(rt: IngestRuntime, n: number, fn: () => Promise<T>): Promise<T> {
  const s = rt.ingest;
  // Checked here, just before the append, so nothing is acknowledged after the shutdown checkpoint.
  if (s.closing) throw shuttingDown();
  if (s.pending > 0 && s.pending + n > rt.config.maxPendingEvents)
    throw busy(`${s.pending} events are waiting to be written`);
  s.pending += n;
  try {
    return await fn();
  } finally {
    s.pending -= n;
  }
}
