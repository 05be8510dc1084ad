import { redirect } from "next/navigation";
import { TraceSearch } from "@/components/trace/trace-search.tsx";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { correlationIdFromQuery } from "@/lib/schemas/correlation-id.ts";
import "@/components/trace/trace.css";

export const dynamic = "force-dynamic";

export default async function TraceSearchPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePagePermission("/trace", "traces:read");
  const { q } = await searchParams;
  const query = typeof q === "string" ? q : undefined;
  let error: string | null = null;
  if (query !== undefined) {
    const id = correlationIdFromQuery(query);
    if (id.ok) redirect(`/trace/${encodeURIComponent(id.value)}`);
    error = `That is not a correlation id Ledgerline could hold: it ${id.detail}.`;
  }
  return (
    <main className="trace-page">
      <section className="card stack">
        <h1 className="trace-title">Follow a request across the fleet</h1>
        <p className="muted">
          Paste the correlation id from an incident, or a whole W3C <code>traceparent</code> header — its trace-id is
          the correlation id ingest recorded. Ids match exactly (case-sensitive).
        </p>
        <TraceSearch defaultValue={query ?? ""} autoFocus />
        {error && (
          <p className="bad" data-testid="trace-search-error">
            {error}
          </p>
        )}
      </section>
    </main>
  );
}
