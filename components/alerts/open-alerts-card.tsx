import Link from "next/link";
import { Card } from "@/components/ui/card.tsx";

/** The overview's card: how many alerts are open, how many still firing, a link to /alerts. */
export function OpenAlertsCard({ open }: { open: Array<{ state: string; ruleName: string }> }) {
  const firing = open.filter((a) => a.state === "firing").length;
  return (
    <Card title="Open alerts" testId="open-alerts-card">
      <div className="stat">{open.length}</div>
      <div className="muted">
        {open.length ? `${firing} firing, newest: ${open[0]!.ruleName}` : "nothing firing"} ·{" "}
        <Link href="/alerts">Alerts</Link>
      </div>
    </Card>
  );
}
