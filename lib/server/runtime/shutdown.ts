import "server-only";
import { flushRepeatableAudits } from "../audit/audit-repeats.ts";
import { closeIngest } from "../ingest/admission.ts";
import type { Runtime } from "./runtime.ts";

// Graceful shutdown: no entry a sender was told is stored may be left outside a signed
// checkpoint when the process ends (a tail nobody signed is a tail an insider can change
// before the next start signs over it). On SIGTERM / SIGINT: refuse new appends (503),
// wait for the admitted ones, append the pending meta-audit summaries, sign the last
// checkpoint, give the witnesses a moment to cosign it — then let Next.js close its server
// and exit as it always does.

/** How long admitted appends may take to finish, and witnesses to answer, at shutdown. */
const DRAIN_MS = 10_000;
const WITNESS_MS = 3_000;

type Log = (m: string) => void;

/** The shutdown steps on a running runtime; resolves when the last checkpoint is signed (or failed, logged). */
export async function shutdownRuntime(rt: Runtime, log: Log): Promise<void> {
  const left = await closeIngest(rt, DRAIN_MS);
  if (left) log(`shutdown: ${left} admitted events still wait for the writer after ${DRAIN_MS} ms; signing anyway`);
  await flushRepeatableAudits(rt).catch((e) =>
    log(`shutdown: repeated-read summaries not appended: ${(e as Error).message}`),
  );
  try {
    const cp = await rt.sequencer.checkpoint();
    log(
      cp
        ? `shutdown: checkpoint signed at tree size ${cp.treeSize}`
        : "shutdown: every entry is already under a checkpoint",
    );
  } catch (e) {
    log(`shutdown: the last checkpoint could not be signed: ${(e as Error).message}; the next start signs it`);
  }
  await rt.cosigner.settle({ force: true, deadlineMs: WITNESS_MS });
}

/**
 * Runs `shutdownRuntime` before the process's own SIGTERM / SIGINT handling. Next.js
 * (`next start`) installs handlers that close the HTTP server and call process.exit; they
 * are taken off and called after our steps, so its graceful close still happens. Without
 * them (NEXT_MANUAL_SIG_HANDLE, or a plain node process) we exit ourselves, 128 + signal.
 */
export function installShutdownHandlers(runtime: () => Promise<Runtime>, log: Log): void {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    const previous = process.listeners(signal) as Array<(s: NodeJS.Signals) => void>;
    process.removeAllListeners(signal);
    let started = false;
    process.on(signal, () => {
      // A second signal (a shell sends SIGINT to the whole group) must not restart the steps.
      if (started) return;
      started = true;
      log(`${signal}: refusing new ingest, signing the last checkpoint before exit`);
      void runtime()
        .then((rt) => shutdownRuntime(rt, log))
        .catch((e) => log(`shutdown: ${(e as Error).message}`))
        .finally(() => {
          if (previous.length) for (const l of previous) l(signal);
          else process.exit(signal === "SIGINT" ? 130 : 143);
        });
    });
  }
}
