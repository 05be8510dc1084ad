// ledgerline integrity run — the server's verifier on demand: it remembers what it verified
// (data dir), so it also catches truncation and rollback, and alerts like the schedule.
import { cliActor } from "@/lib/server/audit/audit-trail.ts";
import { UsageError, print, withLedger, type CommandGroup } from "./kit.ts";

export const integrityCommand: CommandGroup = {
  name: "integrity",
  usage: `  integrity run [--full] [--json]
                         the server's verifier on demand (incremental by default:
                         new entries + a rolling sample, and truncation/rollback
                         against what it verified before); exit 0 intact, 1 not`,
  options: { full: { type: "boolean", default: false } },
  async run(line) {
    if (line.sub !== "run") throw new UsageError('integrity needs a subcommand: "integrity run [--full] [--json]".');
    const { runVerification } = await import("@/lib/server/integrity/index.ts");
    const r = await withLedger((l) =>
      runVerification(l, {
        mode: line.values.full ? "full" : "incremental",
        requestedBy: cliActor().id,
        onProgress: (done, total) => process.stderr.write(`\rverifying… ${done} / ${total} entries`),
      }),
    );
    process.stderr.write("\n");
    print(
      line.out,
      r,
      r.ok
        ? `OK (${r.mode}): verified through seq ${r.verifiedThrough}; ${r.entriesChecked} entries and ${r.checkpointsChecked} checkpoint(s) checked`
        : `FAILED (${r.kind}): ${r.reason}${r.firstBadSeq !== null ? ` (first bad seq ${r.firstBadSeq})` : ""}`,
    );
    return r.ok ? 0 : 1;
  },
};
