// A small client for POST /api/v1/events: queue, batch, retry — and never duplicate.
//
// Why each piece:
// - Every event gets its id when it is queued (UUIDv7 unless the caller set one), so a
//   retry after a timeout whose response was lost is a duplicate on the server, not a
//   second entry.
// - Retries: network errors, 5xx and 429, with exponential backoff and full jitter (many
//   clients recovering at once do not stampede), and 429/503 `Retry-After` honored as a
//   floor. Other 4xx are the caller's bug; retrying cannot fix them, so they are surfaced
//   (rejected promise and `onError`) with the server's problem+json.
// - `close()` flushes; `exitHook` also flushes on `beforeExit` so a short script does not
//   lose its last batch.

import type { AccessEvent, IngestResult, Problem, WireEvent } from "./types.ts";
import { uuidv7 } from "./uuidv7.ts";
import { verifyReceipt, type Receipt, type ReceiptResult, type ReceiptTrust } from "./receipt.ts";

export type LedgerlineClientOptions = {
  /** Base URL of the Ledgerline server, e.g. http://localhost:3000 */
  url: string;
  /** Ingest key (`llk_…`). */
  key: string;
  /** Events per request (the server's default maximum is 1000). Default 500. */
  batchSize?: number;
  /** Send queued events at least this often; 0 disables the timer (flush yourself). Default 1000. */
  flushIntervalMs?: number;
  /** Retries after the first attempt for retryable failures. Default 5. */
  maxRetries?: number;
  /** First backoff delay; doubles each retry up to maxBackoffMs. Default 200 / 30 000. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Per-attempt timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /** A fetch implementation (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /** Called with each batch that finally failed (after retries, or a non-retryable 4xx) during background flushes. */
  onError?: (error: LedgerlineError, events: WireEvent[]) => void;
  /** Flush on process `beforeExit` (Node). Default true. */
  exitHook?: boolean;
};

/** A request that did not succeed: `status` 0 for network errors; `problem` is the server's problem+json when there was one. */
export class LedgerlineError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly problem?: Problem,
    readonly retryable = false,
  ) {
    super(message);
    this.name = "LedgerlineError";
  }
}

export type SendResult = IngestResult & { status: number };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Retry-After in ms: delta-seconds or an HTTP-date; undefined when absent or unparsable. */
export function parseRetryAfter(h: string | null, now = Date.now()): number | undefined {
  if (!h) return undefined;
  if (/^\s*\d+\s*$/.test(h)) return Number(h) * 1000;
  const t = Date.parse(h);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Normalizes a caller's event for the wire: id assigned, Date → ISO string. */
export function toWireEvent(e: AccessEvent): WireEvent {
  const { id, timestamp, ...rest } = e;
  return { ...rest, id: id ?? uuidv7(), timestamp: timestamp instanceof Date ? timestamp.toISOString() : timestamp };
}

export class LedgerlineClient {
  private readonly opts: Required<Omit<LedgerlineClientOptions, "onError" | "fetch">> &
    Pick<LedgerlineClientOptions, "onError">;
  private readonly fetchFn: typeof fetch;
  private queue: WireEvent[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly onBeforeExit = () => void this.flush().catch(() => undefined);

  constructor(options: LedgerlineClientOptions) {
    if (!options.url) throw new TypeError("LedgerlineClient: url is required");
    if (!options.key) throw new TypeError("LedgerlineClient: key is required");
    this.opts = {
      url: options.url.replace(/\/+$/, ""),
      key: options.key,
      batchSize: Math.max(1, Math.floor(options.batchSize ?? 500)),
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      maxRetries: Math.max(0, Math.floor(options.maxRetries ?? 5)),
      minBackoffMs: options.minBackoffMs ?? 200,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      timeoutMs: options.timeoutMs ?? 30_000,
      exitHook: options.exitHook ?? true,
      onError: options.onError,
    };
    this.fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
    if (this.opts.flushIntervalMs > 0) {
      this.timer = setInterval(() => void this.flush().catch(() => undefined), this.opts.flushIntervalMs);
      (this.timer as { unref?: () => void }).unref?.();
    }
    if (this.opts.exitHook && typeof process !== "undefined" && typeof process.on === "function") {
      process.on("beforeExit", this.onBeforeExit);
    }
  }

  /** Events queued and not yet sent. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues an event; returns its id. A full batch is sent right away (in the background). */
  log(event: AccessEvent): string {
    if (this.closed) throw new LedgerlineError("LedgerlineClient is closed", 0);
    const wire = toWireEvent(event);
    this.queue.push(wire);
    if (this.queue.length >= this.opts.batchSize) void this.flush().catch(() => undefined);
    return wire.id;
  }

  /**
   * Sends everything queued so far, batch by batch. Rejects with the first LedgerlineError
   * (after calling onError for each failed batch); batches that failed are not re-queued —
   * their ids make it safe for the caller to resend them.
   */
  flush(): Promise<void> {
    const run = this.flushing.then(async () => {
      let first: LedgerlineError | undefined;
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.opts.batchSize);
        try {
          await this.send(batch);
        } catch (e) {
          const err = e instanceof LedgerlineError ? e : new LedgerlineError(String(e), 0);
          this.opts.onError?.(err, batch);
          first ??= err;
        }
      }
      if (first) throw first;
    });
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /** Flushes and stops the timer and exit hook. */
  /**
   * Checks, after the ingest answer's `coveredBy`, that an acknowledged entry is in the
   * signed (and, with `trust.witnesses`, witnessed) log with the leaf hash it was given
   * (./receipt.ts). `pending: true` means no checkpoint covers it yet.
   */
  verifyReceipt(receipt: Receipt, trust: ReceiptTrust): Promise<ReceiptResult> {
    return verifyReceipt(this.opts.url, receipt, trust, { fetch: this.fetchFn, timeoutMs: this.opts.timeoutMs });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (typeof process !== "undefined" && typeof process.off === "function")
      process.off("beforeExit", this.onBeforeExit);
    await this.flush();
  }

  /** One batch, one request (with retries). Ids must already be set for retries to be idempotent. */
  async send(events: WireEvent[]): Promise<SendResult> {
    let attempt = 0;
    for (;;) {
      let err: LedgerlineError;
      let retryAfterMs: number | undefined;
      try {
        const res = await this.fetchFn(`${this.opts.url}/api/v1/events`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${this.opts.key}` },
          body: JSON.stringify(events),
          signal: AbortSignal.timeout(this.opts.timeoutMs),
        });
        const text = await res.text();
        if (res.ok) return { status: res.status, ...(JSON.parse(text) as IngestResult) };
        let problem: Problem | undefined;
        try {
          problem = JSON.parse(text) as Problem;
        } catch {
          problem = undefined;
        }
        const retryable = res.status === 429 || res.status >= 500;
        err = new LedgerlineError(
          `${res.status} ${problem?.title ?? res.statusText}${problem?.detail ? `: ${problem.detail}` : ""}`,
          res.status,
          problem,
          retryable,
        );
        retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
      } catch (e) {
        err = new LedgerlineError(`network error: ${(e as Error).message}`, 0, undefined, true);
      }
      if (!err.retryable || attempt >= this.opts.maxRetries) throw err;
      const cap = Math.min(this.opts.maxBackoffMs, this.opts.minBackoffMs * 2 ** attempt);
      const jittered = Math.random() * cap;
      await sleep(Math.max(jittered, retryAfterMs ?? 0));
      attempt++;
    }
  }
}
