import "server-only";
import type { AuthCache } from "../auth/options.ts";
import { resolveAuthSecret } from "../auth/secret.ts";
import { createAuditRepeats, flushRepeatableAudits, type AuditRepeats } from "../audit/audit-repeats.ts";
import { createReadLimiter } from "../http/read-limit.ts";
import type { RateLimiter } from "../ingest/rate-limit.ts";
import { createBundleQueue, type BundleQueue } from "../bundles/queue.ts";
import { loadConfig, type Config } from "../config.ts";
import { Cosigner } from "../cosigning/cosigner.ts";
import { SiemStreamer } from "../siem/streamer.ts";
import { AlertEngine } from "../alerts/engine.ts";
import { createWorkerPool, type WorkerPool } from "../workers/pool.ts";
import { createIngestGate, type IngestGate } from "../ingest/admission.ts";
import { activeReservedSourceKeys } from "../ingest/ingest-keys.ts";
import { startPruneScheduler } from "../retention/scheduler.ts";
import { startReviewScheduler } from "../reviews/scheduler.ts";
import { createIntegrityLive, startIntegrityScheduler, type IntegrityLive } from "../integrity/verifier.ts";
import { openLedger, type Ledger } from "../ledger/ledger.ts";
import { EntryReadAudit } from "../tlog/read-audit.ts";
import { seedDemo } from "./demo-seed.ts";
import { installShutdownHandlers } from "./shutdown.ts";

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
  /** Open windows of repeated identical reads, summarised into one entry each (audit/audit-repeats.ts). */
  auditRepeats: AuditRepeats;
  /** Authenticated API reads per user (http/read-limit.ts; per process). */
  readLimiter: RateLimiter;
  /** The verification run in progress and the last alert (integrity/verifier.ts). */
  integrity: IntegrityLive;
  /** Worker threads for ingest preparation (workers/pool.ts); started on first use. */
  workers: WorkerPool;
  /** The background bundle builder (bundles/queue.ts). */
  bundles: BundleQueue;
  /** Entry-bundle reads of the tiles API, recorded once per reader per minute (tlog/read-audit.ts). */
  tlogReads: EntryReadAudit;
  /** Sends each new checkpoint to the witnesses and keeps their state (cosigning/cosigner.ts). */
  cosigner: Cosigner;
  /** Streams covered entries to the configured SIEM destinations (siem/streamer.ts); started by the server. */
  siem: SiemStreamer;
  /** Evaluates alert rules and sends their deliveries (alerts/engine.ts); started by the server. */
  alerts: AlertEngine;
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
    auditRepeats: createAuditRepeats(),
    readLimiter: createReadLimiter(ledger.config),
    integrity: createIntegrityLive(),
    workers: createWorkerPool(ledger.config.workers),
    bundles: createBundleQueue(),
    tlogReads: new EntryReadAudit(),
    cosigner: new Cosigner(ledger, {
      witnesses: ledger.config.witnesses?.witnesses ?? [],
      alertAfterMs: ledger.config.witnesses?.alertAfterMs ?? 0,
      timeoutMs: ledger.config.witnesses?.timeoutMs ?? 10_000,
      log: (m) => console.log(`[ledgerline] ${m}`),
    }),
    siem: new SiemStreamer(ledger, { ...ledger.config.siem, log: (m) => console.log(`[ledgerline] ${m}`) }),
    alerts: new AlertEngine(ledger, { ...ledger.config.alerts, log: (m) => console.log(`[ledgerline] ${m}`) }),
    auth: {},
    onClose(stop) {
      stops.push(stop);
    },
    async close() {
      for (const stop of stops.splice(0)) stop();
      rt.ingest.lag.stop();
      rt.cosigner.stop();
      await rt.siem.stop();
      await rt.alerts.stop();
      await rt.cosigner.settle({ deadlineMs: 2000 });
      await flushRepeatableAudits(rt).catch((e) =>
        console.error(`[ledgerline] could not append the repeated-read summaries: ${(e as Error).message}`),
      );
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
    for (const k of await activeReservedSourceKeys(rt.prisma)) {
      log(
        `WARNING: ingest key ${k.id} is bound to the reserved source ${JSON.stringify(k.source)}; every request with it is refused (403). Revoke it: ledgerline keys revoke ${k.id}`,
      );
    }
    if (rt.config.demo) await seedDemo(rt, log);
    logWitnesses(rt, key.verifierKey, log);
    // Listening before the first checkpoint, so it goes to the witnesses too.
    rt.cosigner.start();
    await rt.sequencer.checkpoint();
    // Every interval, if the log grew; ingest answers tell senders this tick as `coveredBy`.
    const every = rt.config.checkpointIntervalMs;
    rt.ingest.nextCheckpointAt = Date.now() + every;
    const timer = setInterval(() => {
      rt.ingest.nextCheckpointAt = Date.now() + every;
      rt.sequencer.checkpoint().catch((e) => console.error(`[ledgerline] checkpoint failed: ${(e as Error).message}`));
    }, every);
    timer.unref();
    const scheduler = startIntegrityScheduler(rt, log);
    rt.siem.start();
    rt.alerts.start();
    rt.onClose(() => clearInterval(timer));
    rt.onClose(() => scheduler.stop());
    rt.onClose(startPruneScheduler(rt, log));
    rt.onClose(startReviewScheduler(rt, log));
    return rt;
  } catch (e) {
    await rt.close().catch(() => undefined);
    throw e;
  }
}

function logWitnesses(rt: Runtime, logVkey: string, log: Log): void {
  const w = rt.config.witnesses;
  if (!w) {
    log("no witnesses configured: checkpoints are signed by this server alone (LEDGERLINE_WITNESSES)");
    return;
  }
  log(
    `witnesses (${w.source}): ${w.witnesses.map((x) => `${x.label} ${x.url ?? "(no URL: not contacted)"}`).join(", ")}; quorum ${w.policy.quorum}`,
  );
  // A policy that names logs but not this one is a policy for someone else's log.
  if (w.policy.logs.length && !w.policy.logs.some((l) => l.vkey === logVkey))
    log(
      `WARNING: LEDGERLINE_WITNESS_POLICY lists no log key ${logVkey}; readers using that policy will refuse this log's checkpoints`,
    );
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
    installShutdownHandlers(getRuntime, (m) => console.log(`[ledgerline] ${m}`));
  } catch (e) {
    console.error(`[ledgerline] refusing to start: ${(e as Error).message}`);
    process.exit(1);
  }
}
