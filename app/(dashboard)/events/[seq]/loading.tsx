import "@/components/events/explorer.css";

// Shown while one entry, its canonical bytes and covering checkpoint load.
export default function Loading() {
  return (
    <main className="explorer" aria-busy="true" data-testid="event-loading">
      <div className="explorer-head">
        <h1>Entry…</h1>
        <span className="muted">Loading the entry and its checkpoint…</span>
      </div>
      <div className="detail-grid">
        <div className="card skeleton skeleton-table" />
        <div className="stack">
          <div className="card skeleton skeleton-small" />
          <div className="card skeleton skeleton-small" />
        </div>
      </div>
    </main>
  );
}
