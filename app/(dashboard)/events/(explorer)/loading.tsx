import "@/components/events/explorer.css";

// Shown while the explorer's first render queries the store.
export default function Loading() {
  return (
    <main className="explorer" aria-busy="true" data-testid="explorer-loading">
      <div className="explorer-head">
        <h1>Events</h1>
        <span className="muted">Searching the log…</span>
      </div>
      <div className="card skeleton skeleton-bar" />
      <div className="explorer-charts">
        <div className="card skeleton skeleton-chart histogram-card" />
        <div className="card skeleton skeleton-small" />
        <div className="card skeleton skeleton-small" />
        <div className="card skeleton skeleton-small" />
      </div>
      <div className="card skeleton skeleton-table" />
    </main>
  );
}
