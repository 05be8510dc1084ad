// The search box: a plain GET form, so it works before hydration and the query
// stays in the URL; /trace resolves it (traceparent → trace-id) and redirects.

export function TraceSearch({ defaultValue = "", autoFocus = false }: { defaultValue?: string; autoFocus?: boolean }) {
  return (
    <form action="/trace" method="get" className="trace-search" role="search" data-testid="trace-search">
      <label htmlFor="trace-q">Correlation ID or traceparent</label>
      <div className="inline">
        <input
          id="trace-q"
          name="q"
          defaultValue={defaultValue}
          autoFocus={autoFocus}
          placeholder="e.g. 4bf92f3577b34da6a3ce929d0e0e4736 or 00-4bf92f…-00f067aa0ba902b7-01"
          spellCheck={false}
          autoComplete="off"
          maxLength={512}
          required
        />
        <button type="submit" className="btn primary">
          Open trace
        </button>
      </div>
    </form>
  );
}
