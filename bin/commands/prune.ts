// ledgerline prune [--dry-run] — prune entry bodies past retention, receipts first (docs/retention.md).
import { runPrune, type PruneReport } from "@/lib/server/retention/prune.ts";
import { operator, print, withLedger, type CommandGroup } from "./kit.ts";

function summary(r: PruneReport): string {
  const plan = r.plan
    .map(
      (p) =>
        `  ${p.policy}: ${p.days === null ? "kept for ever" : `${p.days} days (before ${p.cutoff})`} — ${p.due} due, ${p.held} held`,
    )
    .join("\n");
  if (r.dryRun)
    return `Dry run, nothing pruned:\n${plan}\nRun without --dry-run to prune (a receipt entry is appended first).`;
  const resumed = r.resumed.length
    ? `\nFinished ${r.resumed.length} receipt(s) an interrupted run had left: ${r.resumed.join(", ")}`
    : "";
  const archived = r.archived.length
    ? `\nArchived before pruning: ${r.archived.join(", ")} (check: ledgerline archive verify)`
    : "";
  const rate = r.seconds > 0 ? ` (${Math.round(r.pruned / r.seconds)} entries/s)` : "";
  return `${plan}\nPruned ${r.pruned} entries in ${r.seconds.toFixed(1)} s${rate} under ${r.receipts.length} receipt(s)${r.receipts.length ? `: seq ${r.receipts[0]}…${r.receipts.at(-1)}` : ""}.${archived}${resumed}\nVerify with: ledgerline verify-log`;
}

export const pruneCommand: CommandGroup = {
  name: "prune",
  usage: `  prune [--dry-run] [--json]
                         clear the bodies of entries past their retention policy and not held,
                         after appending a prune receipt; leaf hashes and proofs stay valid`,
  options: { "dry-run": { type: "boolean" } },
  async run(line) {
    const dryRun = line.values["dry-run"] === true;
    const r = await withLedger((l) =>
      runPrune(l, operator(), { dryRun, onProgress: (m) => process.stderr.write(`${m}\n`) }),
    );
    print(line.out, r, summary(r));
    return 0;
  },
};
