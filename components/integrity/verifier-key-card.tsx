import { Card } from "@/components/ui/card.tsx";

/** The log's verifier key and fingerprint, for comparison out of band. */
export function VerifierKeyCard({
  verifierKey,
  fingerprint,
  testId,
}: {
  verifierKey: string | null;
  fingerprint: string | null;
  testId: string;
}) {
  return (
    <Card title="Verifier key — compare out of band" testId={testId}>
      <div className="mono break">{verifierKey ?? "no signing key yet"}</div>
      <div className="muted mono break">{fingerprint}</div>
    </Card>
  );
}
