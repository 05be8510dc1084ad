import "@/components/trace/trace.css";

// Shown while the trace is read (and its view recorded).
export default function Loading() {
  return (
    <main className="trace-page" aria-busy="true" data-testid="trace-loading">
      <section className="card">
        <h1 className="trace-title">Trace</h1>
        <p className="muted">Reading every entry under this correlation id…</p>
      </section>
    </main>
  );
}
