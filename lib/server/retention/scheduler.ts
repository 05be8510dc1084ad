import "server-only";
import os from "node:os";
import { systemPrincipal } from "../auth/principal.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { runPrune } from "./prune.ts";

// The scheduled prune (LEDGERLINE_PRUNE_INTERVAL hours, 0 = off). Its receipts name
// the scheduler as approver; the policies it applies name who set them (their
// meta-audit entries). A run still going when the next tick comes is not doubled.

/** Starts the timer; returns its stop function (registered with rt.onClose by the runtime). */
export function startPruneScheduler(rt: Ledger, log: (m: string) => void): () => void {
  const every = rt.config.pruneIntervalMs;
  if (!every) return () => {};
  const principal = systemPrincipal(`ledgerline-scheduler@${os.hostname()}`);
  let running = false;
  const tick = () => {
    if (running) return;
    running = true;
    runPrune(rt, principal, { onProgress: log })
      .then((r) => {
        if (r.pruned || r.resumed.length) log(`prune: ${r.pruned} entries under ${r.receipts.length} receipt(s)`);
      })
      .catch((e) =>
        console.error(
          `[ledgerline] scheduled prune failed: ${(e as Error).message}; run \`ledgerline prune --dry-run\``,
        ),
      )
      .finally(() => {
        running = false;
      });
  };
  const timer = setInterval(tick, every);
  timer.unref();
  return () => clearInterval(timer);
}
