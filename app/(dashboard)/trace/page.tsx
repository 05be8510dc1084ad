import { countOf } from "@/components/ui/count.ts";
import Link from "next/link";
import { redirect } from "next/navigation";
import { TraceFinderForm, TraceList, type FinderState } from "@/components/trace/trace-finder.tsx";
import { TraceSearch } from "@/components/trace/trace-search.tsx";
import { AppError } from "@/lib/server/errors.ts";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { DEMO_STORIES } from "@/lib/server/runtime/demo-story.ts";
import { resolveTraceId, searchTraces, traceSummaries } from "@/lib/server/traces/search.ts";
import { correlationIdFromQuery } from "@/lib/schemas/correlation-id.ts";
import { TRACE_RANGES, traceQuerySchema, type TraceQuery, type TraceRange } from "@/lib/schemas/trace-search.ts";
import "@/components/trace/trace.css";

export const dynamic = "force-dynamic";

type Params = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (typeof v === "string" ? v : "");

/** The finder's URL state: the relative range stays relative in the URL and becomes an instant per request. */
function finderState(sp: Params): { state: FinderState; query: TraceQuery | null; problem: string | null } {
  const rangeRaw = one(sp.range);
  const statusRaw = one(sp.status);
  const state: FinderState = {
    service: one(sp.service).trim(),
    range: rangeRaw in TRACE_RANGES ? (rangeRaw as TraceRange) : "",
    status: statusRaw === "denied" || statusRaw === "failed" ? statusRaw : "",
  };
  const raw: Record<string, string> = {};
  if (state.service) raw.service = state.service;
  if (state.status) raw.status = state.status;
  if (state.range) raw.from = new Date(Date.now() - TRACE_RANGES[state.range]).toISOString();
  const parsed = traceQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    return { state, query: null, problem: `The ${String(i.path[0] ?? "search")} ${i.message}.` };
  }
  return { state, query: parsed.data, problem: null };
}

export default async function TraceSearchPage({ searchParams }: { searchParams: Promise<Params> }) {
  const principal = await requirePagePermission("/trace", "traces:read");
  const sp = await searchParams;
  const rt = await getRuntime();
  let error: string | null = null;
  if (typeof sp.q === "string") {
    const id = correlationIdFromQuery(sp.q);
    // An upper-case W3C trace-id opens the lower-case trace ingest stored.
    if (id.ok) redirect(`/trace/${encodeURIComponent(await resolveTraceId(rt, principal, id.value))}`);
    error = `That is not a correlation id Ledgerline could hold: it ${id.detail}.`;
  }
  const { state, query, problem } = finderState(sp);
  const cursor = one(sp.cursor) || undefined;
  // A stale or hand-edited cursor marks the search, it does not cost the page.
  const page = query
    ? await searchTraces(rt, principal, query, { limit: 25, cursor }).catch((e: unknown) => {
        if (cursor && e instanceof AppError && e.code === "bad_request") return null;
        throw e;
      })
    : null;
  const cursorProblem = query && !page ? "That page link is out of date: the list starts again from the newest." : null;
  const next = new URLSearchParams();
  if (state.service) next.set("service", state.service);
  if (state.range) next.set("range", state.range);
  if (state.status) next.set("status", state.status);
  if (page?.nextCursor) next.set("cursor", page.nextCursor);
  const stories = await traceSummaries(
    rt,
    principal,
    DEMO_STORIES.map((s) => s.id),
  );
  return (
    <main className="trace-page">
      <section className="card stack">
        <h1 className="trace-title">Follow a request across the fleet</h1>
        <p className="muted">
          Paste the correlation id from an incident, or a whole W3C <code>traceparent</code> header — its trace-id is
          the correlation id ingest recorded. Hex trace ids match in any case; other ids match exactly.
        </p>
        <TraceSearch defaultValue={typeof sp.q === "string" ? sp.q : ""} autoFocus={!sp.service && !sp.status} />
        {error && (
          <p className="bad" data-testid="trace-search-error">
            {error}
          </p>
        )}
      </section>
      {stories.length > 0 && (
        <section className="card stack" aria-labelledby="try-these" data-testid="trace-stories">
          <h2 id="try-these">Try these</h2>
          <ul className="trace-stories">
            {stories.map((t) => (
              <li key={t.correlationId}>
                <Link href={`/trace/${t.correlationId}`}>
                  {DEMO_STORIES.find((s) => s.id === t.correlationId)?.title}
                </Link>{" "}
                <span className="muted">
                  · {countOf(t.entries, "hop")}
                  {t.denied ? ` · ${t.denied} denied` : ""}
                  {t.failed ? ` · ${countOf(t.failed, "failure")}` : ""}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <section className="card stack" aria-labelledby="find-traces">
        <h2 id="find-traces">{query && Object.keys(query).length ? "Traces found" : "Recent traces"}</h2>
        <TraceFinderForm state={state} />
        {(problem ?? cursorProblem) && (
          <p className="bad" data-testid="trace-finder-error">
            {problem ?? cursorProblem}
          </p>
        )}
        {page && <TraceList page={page} nextHref={page.nextCursor ? `/trace?${next}` : null} />}
      </section>
    </main>
  );
}
