"use client";

import "@/components/trace/trace.css";

// An unexpected failure (store unreachable, the view's audit record refused).
// The message of an unknown error is never shown; the digest finds it in the logs.
export default function TraceError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="trace-page">
      <section className="card banner bad" data-testid="trace-error">
        <strong>The trace could not load</strong>
        <span>
          Nothing was shown and nothing was changed. Try again; if it keeps failing, the server log has the details
          {error.digest ? (
            <>
              {" "}
              under reference <code>{error.digest}</code>
            </>
          ) : null}
          .
        </span>
        <span className="inline">
          <button type="button" className="btn small" onClick={() => reset()}>
            Try again
          </button>
          <a className="btn small" href="/trace">
            Search another id
          </a>
        </span>
      </section>
    </main>
  );
}
