import { Card } from "@/components/ui/card.tsx";

/** Which log keys the integrity center's passes trust, and where that pin came from (never just signing_keys). */
export function PinnedKeysCard({
  pins,
}: {
  pins: { source: string; keys: Array<{ verifierKey: string; why: string }>; unchained: string[] };
}) {
  return (
    <Card title="Pinned log keys — what verification trusts" testId="integrity-pinned-keys">
      <p className="muted small" data-testid="integrity-pin-source">
        Pinned by {pins.source}. Later keys count only through a rotation statement signed by a pinned key.
      </p>
      <ul className="stack">
        {pins.keys.map((k) => (
          <li key={k.verifierKey} className="small">
            <div className="mono break">{k.verifierKey}</div>
            <div className="muted">{k.why}</div>
          </li>
        ))}
      </ul>
      {pins.unchained.map((u) => (
        <p key={u} className="bad small" data-testid="integrity-unchained-key">
          {u}
        </p>
      ))}
    </Card>
  );
}
