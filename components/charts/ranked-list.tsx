import "./charts.css";

// A ranked list with proportional bars: a readable "top N" that stays
// clickable and selectable text (labels are passed in, links included).

export type RankedItem = {
  key: string;
  label: React.ReactNode;
  count: number;
  /** Part of count drawn in the alert colour. */ alert?: number;
};

export function RankedList({
  items,
  empty,
  testId,
  alertLabel,
}: {
  items: RankedItem[];
  empty: string;
  testId?: string;
  alertLabel?: string;
}) {
  const max = Math.max(1, ...items.map((i) => i.count));
  if (items.length === 0) return <p className="muted ranked-empty">{empty}</p>;
  return (
    <ol className="ranked" data-testid={testId}>
      {items.map((i) => (
        <li key={i.key}>
          <div className="ranked-row">
            <span className="ranked-label">{i.label}</span>
            <span className="ranked-count" title={i.alert ? `${i.alert} ${alertLabel ?? ""}`.trim() : undefined}>
              {i.count.toLocaleString("en-US")}
              {i.alert ? (
                <span className="ranked-alert">
                  {" "}
                  · {i.alert.toLocaleString("en-US")} {alertLabel}
                </span>
              ) : null}
            </span>
          </div>
          <div className="ranked-bar" aria-hidden="true">
            <span style={{ width: `${((i.count - (i.alert ?? 0)) / max) * 100}%` }} />
            <span className="alert" style={{ width: `${((i.alert ?? 0) / max) * 100}%` }} />
          </div>
        </li>
      ))}
    </ol>
  );
}
