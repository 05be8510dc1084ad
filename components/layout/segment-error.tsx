"use client";

// A dashboard segment's unexpected failure (store unreachable, the view's audit
// record refused). The message of an unknown error is never shown; the digest
// finds it in the server log.
export function SegmentError({
  error,
  reset,
  title,
  testId,
  back,
}: {
  error: Error & { digest?: string };
  reset: () => void;
  title: string;
  testId: string;
  back: { href: string; label: string };
}) {
  return (
    <section className="card banner bad" data-testid={testId}>
      <h1 className="banner-title">{title}</h1>
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
        <a className="btn small" href={back.href}>
          {back.label}
        </a>
      </span>
    </section>
  );
}
