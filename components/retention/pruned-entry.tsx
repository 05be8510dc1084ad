import { BackToResults } from "@/components/events/back-button.tsx";
import { Instant } from "@/components/events/instant.tsx";
import { Card } from "@/components/ui/card.tsx";
import { CopyButton } from "@/components/ui/copy-button.tsx";

// An entry whose body retention pruned (docs/retention.md): what is kept (seq,
// times, source, id, leaf hash) and which receipt pruned it. No Verify button:
// the bytes it would hash are gone; the leaf hash still proves inclusion.

export type PrunedEntryProps = {
  seq: number;
  leafHash: string;
  source: string;
  id: string;
  timestamp: string;
  receivedAt: string;
  receiptSeq: number;
  policy: string | null;
};

export function PrunedEntry(p: PrunedEntryProps) {
  const rows: Array<[string, React.ReactNode]> = [
    ["timestamp (claimed)", <Instant key="t" iso={p.timestamp} />],
    ["receivedAt", <Instant key="r" iso={p.receivedAt} />],
    ["source", p.source],
    ["id", p.id],
  ];
  return (
    <main className="explorer" data-testid="event-detail">
      <div className="explorer-head">
        <BackToResults />
        <h1>Entry {p.seq.toLocaleString("en-US")}</h1>
        <span className="badge" data-testid="pruned-badge">
          pruned
        </span>
      </div>
      <Card title="Body pruned by retention" testId="pruned-notice">
        <p>
          Pruned by policy <strong>{p.policy ?? "(unknown)"}</strong> (
          <a href={`/events/${p.receiptSeq}`} data-testid="pruned-receipt-link">
            receipt seq {p.receiptSeq.toLocaleString("en-US")}
          </a>
          ). Its fields are gone from this store; the receipt holds a SHA-256 over the pruned bytes, computed before
          they were cleared. The leaf hash below stays in the tree, so every inclusion and consistency proof still
          verifies.
        </p>
        <table className="plain fields">
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td>{v}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">leaf hash</th>
              <td>
                <code className="hash">{p.leafHash}</code> <CopyButton value={p.leafHash} label="leaf hash" />
              </td>
            </tr>
          </tbody>
        </table>
        <p className="muted">
          Inclusion proof: <code>GET /api/v1/proofs/inclusion?seq={p.seq}</code>
        </p>
      </Card>
    </main>
  );
}
