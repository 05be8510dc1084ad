import { countOf } from "@/components/ui/count.ts";
import type { PrunedSummary } from "@/lib/server/retention/pruned-view.ts";

// Entries retention pruned no longer match any filter or trace (their bodies are gone), so a
// reader would otherwise see fewer entries with nothing said. This notice says how many
// entries claimed in the range shown were pruned, by which policy and receipt.

export function PrunedNotice({ pruned, range }: { pruned: PrunedSummary; range: string }) {
  if (pruned.total === 0) return null;
  const named = pruned.groups.reduce((n, g) => n + g.count, 0);
  const rest = pruned.total - named;
  return (
    <p className="card pruned-note" role="note" data-testid="pruned-range-notice">
      {countOf(pruned.total, "entry", "entries")} claimed {range} {pruned.total === 1 ? "was" : "were"} pruned:{" "}
      {pruned.groups.map((g, i) => (
        <span key={g.receiptSeq}>
          {i ? "; " : ""}
          {g.count.toLocaleString("en-US")} by policy <strong>{g.policy ?? "(unknown)"}</strong> (
          <a href={`/events/${g.receiptSeq}`} data-testid="pruned-range-receipt">
            receipt seq {g.receiptSeq}
          </a>
          )
        </span>
      ))}
      {rest > 0 && `; ${rest.toLocaleString("en-US")} by later receipts`}. Their bodies are gone, so no filter or trace
      can match them; their leaf hashes still prove every checkpoint.
    </p>
  );
}
