"use client";

import "@/components/events/explorer.css";

// An unexpected failure (store unreachable, audit write refused). The message of
// an unknown error is never shown; the digest lets an admin find it in the logs.
export default function EventsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="explorer">
      <section className="card banner bad" data-testid="explorer-error">
        <strong>The explorer could not load</strong>
        <span>
          The search did not complete. Nothing was changed. Try again; if it keeps failing, the server log has the details
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
          <a className="btn small" href="/events">
            Default filter
          </a>
        </span>
      </section>
    </main>
  );
}
