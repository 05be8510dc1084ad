import "server-only";
import { AppError } from "../errors.ts";
import type { Ledger } from "../ledger/ledger.ts";

// Load shedding for ingest. Past the server's capacity, work queues — requests
// whose bodies wait to be parsed and validated on the one JS thread, batches that
// wait for the one writer — and a queue that only grows turns 5× overload into
// 30-second answers that clients time out on (and retry, growing it further).
// So a request is refused at once with 503 + Retry-After, before anything is
// stored, while more than `maxInflightRequests` ingest requests are already being
// served by this process, or more than `maxPendingEvents` events wait for the
// writer. Meta-audit records of dashboard users are never shed (they go straight
// to the sequencer); only machine ingest is.

type State = { pending: number; inflight: number };
const g = globalThis as typeof globalThis & { __ledgerlineAdmission?: WeakMap<Ledger, State> };

function state(ledger: Ledger): State {
  const m = (g.__ledgerlineAdmission ??= new WeakMap());
  let s = m.get(ledger);
  if (!s) m.set(ledger, (s = { pending: 0, inflight: 0 }));
  return s;
}

/** Events of this ledger's ingest requests now waiting for (or in) the writer. */
export function pendingEvents(ledger: Ledger): number {
  return state(ledger).pending;
}

/** Ingest requests this process is serving now. */
export function inflightRequests(ledger: Ledger): number {
  return state(ledger).inflight;
}

function busy(what: string): AppError {
  return new AppError(
    "unavailable",
    `The log is busy: ${what}. Nothing of this request was stored; retry after the delay.`,
    { retryAfter: 1 },
  );
}

// Event-loop lag: how late a 100 ms timer fires. The requests of a CPU-bound
// backlog wait in socket buffers before any handler runs (each one, once started,
// finishes almost at once), so no counter of ours sees them; late timers do. Only
// a lag that persists counts — the last LAG_SAMPLES samples all past the limit —
// so one long pause (a GC, a synchronous task, a child process started with
// spawnSync in a test) never refuses the request that follows it.
const LAG_SAMPLES = 3;
const samples: number[] = [];
let sampler: ReturnType<typeof setInterval> | null = null;
function startLagSampler(): void {
  if (sampler) return;
  let last = performance.now();
  sampler = setInterval(() => {
    const now = performance.now();
    samples.push(Math.max(0, now - last - 100));
    if (samples.length > LAG_SAMPLES) samples.shift();
    last = now;
  }, 100);
  sampler.unref();
}

/** The smallest of the recent lag samples in ms: how far behind the loop has stayed. */
export function eventLoopLag(): number {
  return samples.length < LAG_SAMPLES ? 0 : Math.min(...samples);
}

/**
 * Counts one ingest request as being served until `release` is called, or throws
 * 503 when this process already serves its limit or its event loop lags behind.
 */
export function enterIngest(ledger: Ledger): () => void {
  startLagSampler();
  const s = state(ledger);
  if (s.inflight >= ledger.config.maxInflightRequests) throw busy(`${s.inflight} ingest requests are being served`);
  const lag = eventLoopLag();
  if (lag > ledger.config.maxEventLoopLagMs) throw busy(`the server has stayed ${Math.round(lag)} ms behind`);
  s.inflight++;
  let released = false;
  return () => {
    if (!released) s.inflight--;
    released = true;
  };
}

/** Refuses early (before the body is read) when the writer's queue is already full. */
export function assertNotBusy(ledger: Ledger): void {
  const s = state(ledger);
  if (s.pending >= ledger.config.maxPendingEvents) throw busy(`${s.pending} events are waiting to be written`);
}

/**
 * Runs `fn` (the append of `n` events) counted as pending, or throws 503 when
 * admitting them would pass the limit. One request is always admitted when
 * nothing waits, whatever its size.
 */
export async function withAdmission<T>(ledger: Ledger, n: number, fn: () => Promise<T>): Promise<T> {
  const s = state(ledger);
  if (s.pending > 0 && s.pending + n > ledger.config.maxPendingEvents)
    throw busy(`${s.pending} events are waiting to be written`);
  s.pending += n;
  try {
    return await fn();
  } finally {
    s.pending -= n;
  }
}
