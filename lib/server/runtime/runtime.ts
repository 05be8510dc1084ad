import "server-only";
import type { AuthCache } from "../auth/options.ts";
import { resolveAuthSecret } from "../auth/secret.ts";
import { createSignInThrottles, type SignInThrottles } from "../auth/throttle.ts";
import { createBundleQueue, type BundleQueue } from "../bundles/queue.ts";
import { loadConfig, type Config } from "../config.ts";
import { createWorkerPool, type WorkerPool } from "../workers/pool.ts";
import { createIngestGate, type IngestGate } from "../ingest/admission.ts";
import { createIntegrityLive, startIntegrityScheduler, type IntegrityLive } from "../integrity/verifier.ts";
import { openLedger, type Ledger } from "../ledger/ledger.ts";
import { seedDemo } from "./demo-seed.ts";

// The composition root. A Ledger is the store (connections, sequencer, signing
// key); a Runtime is a Ledger plus everything this process keeps in memory for
// it. Every per-process singleton hangs off the Runtime — never off globalThis
// or a module-level map — so a test makes one with createRuntime and drops it
// with close(). Parts never import this module (they declare the slice they
// need, e.g. IngestRuntime = Ledger & { ingest }); only entry points do: the
// API mount, pages, server actions, instrumentation.

export type Runtime = Ledger & {
  /** Per-key token buckets, admission counters, event-loop lag sampler (ingest/admission.ts). */
  ingest: IngestGate;
  /** Failed sign-ins by account and by IP (auth/throttle.ts). */
  signIn: SignInThrottles;
  /** The verification run in progress and the last alert (integrity/verifier.ts). */
  integrity: IntegrityLive;
  /** Worker threads for ingest preparation (workers/pool.ts); started on first use. */
  workers: WorkerPool;
  /** The background bundle builder (bundles/queue.ts). */
  bundles: BundleQueue;
  /** next-auth's options and handler, built on first use (auth/session.ts). */
  auth: AuthCache;
  /** Registers what close() must stop first (a timer, a scheduler). */
  onClose(stop: () => void): void;
  /** Stops this runtime's timers (checkpoint, verifier schedule, lag sampler), then closes the ledger. */
  close(): Promise<void>;
};

/** The in-memory state for `ledger`, with no timer started: what tests and the CLI use. */
export function createRuntime(ledger: Ledger): Runtime {
  const stops: Array<() => void> = [];
  const rt: Runtime = {
    ...ledger,
    ingest: createIngestGate(ledger.config),
    signIn: createSignInThrottles(),
    integrity: createIntegrityLive(),
    workers: createWorkerPool(ledger.config.workers),
    bundles: createBundleQueue(),
    auth: {},
    onClose(stop) {
      stops.push(stop);
    },
    async close() {
      for (const stop of stops.splice(0)) stop();
      rt.ingest.lag.stop();
      await rt.workers.close();
      await ledger.close();
    },
  };
  return rt;
}

type Log = (m: string) => void;

/**
 * The server's start-up, in order: open the ledger (migrations, guard check),
 * refuse to go on without a production session secret, load the signing key,
 * seed the demo into an empty store, sign a checkpoint, then start the
 * checkpoint timer and the integrity scheduler.
 */
export async function startRuntime(config: Config, log: Log): Promise<Runtime> {
  const rt = createRuntime(await openLedger(config, { log }));
  try {
    // Fail at start, not at the first sign-in, when production has no session secret.
    resolveAuthSecret(rt.config);
    const key = await rt.signingKey();
    const store = rt.config.database.dialect === "sqlite" ? rt.config.database.file : "PostgreSQL";
    log(`store: ${store}; append-only guards verified`);
    log(`signing key ${key.verifierKey} (${key.origin === "env" ? "from LEDGERLINE_SIGNING_KEY" : key.file})`);
    if (rt.config.demo) await seedDemo(rt, log);
    await rt.sequencer.checkpoint();
    const timer = setInterval(() => {
      rt.sequencer.checkpoint().catch((e) => console.error(`[ledgerline] checkpoint failed: ${(e as Error).message}`));
    }, rt.config.checkpointIntervalMs);
    timer.unref();
    const scheduler = startIntegrityScheduler(rt, log);
    rt.onClose(() => clearInterval(timer));
    rt.onClose(() => scheduler.stop());
    return rt;
  } catch (e) {
    await rt.close().catch(() => undefined);
    throw e;
  }
}

// The one process-wide slot. Next.js loads route handlers, pages and
// instrumentation as separate bundles, each with its own copy of this module,
// so the process's runtime must be found through globalThis — one slot, here,
// and nowhere else.
const processSlot = globalThis as typeof globalThis & { __ledgerlineRuntime?: Promise<Runtime> };

/** The server process's runtime, started on first call (configuration from the environment). */
export function getRuntime(): Promise<Runtime> {
  if (!processSlot.__ledgerlineRuntime) {
    const started = startRuntime(loadConfig(), (m) => console.log(`[ledgerline] ${m}`));
    started.catch(() => {
      if (processSlot.__ledgerlineRuntime === started) delete processSlot.__ledgerlineRuntime;
    });
    processSlot.__ledgerlineRuntime = started;
  }
  return processSlot.__ledgerlineRuntime;
}

/** Server start: start the runtime or exit — never serve a store whose guards are missing. */
export async function startServerRuntime(): Promise<void> {
  try {
    await getRuntime();
  } catch (e) {
    console.error(`[ledgerline] refusing to start: ${(e as Error).message}`);
    process.exit(1);
  }
}
