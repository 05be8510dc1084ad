import "@/components/events/explorer.css";
import { forbidden } from "next/navigation";
import { Explorer } from "@/components/events/explorer.tsx";
import { canonicalParams, resolveExplorerParams } from "@/components/events/explorer-params.ts";
import { FilterErrors } from "@/components/events/filter-errors.tsx";
import { can } from "@/lib/server/auth/permissions.ts";
import { pagePrincipal } from "@/lib/server/auth/session.ts";
import { AppError } from "@/lib/server/errors.ts";
import { searchEvents, summarizeEvents } from "@/lib/server/events/search.ts";
import { getLedger } from "@/lib/server/ledger/ledger.ts";

export const dynamic = "force-dynamic";

type SearchParams = Record<string, string | string[] | undefined>;

function toSearchParams(raw: SearchParams): URLSearchParams {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(raw))
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) sp.append(k, one);
  return sp;
}

// The explorer: the URL is parsed once, a preset is resolved to absolute bounds
// once, and that one filter feeds the table and the charts.
export default async function EventsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { principal, allowed } = await pagePrincipal("/events", "events:read");
  if (!allowed) forbidden(); // layout.tsx answered 403 already; kept so the page is safe on its own
  const sp = toSearchParams(await searchParams);
  const state = resolveExplorerParams(sp, Date.now());
  if (!state.ok)
    return (
      <main className="explorer">
        <FilterErrors errors={state.errors} />
      </main>
    );
  const { filter, cursor, ...opts } = state.value.request;
  const ledger = await getLedger();
  try {
    // If the search cannot record itself in the ledger it throws, and nothing is shown (fail closed).
    const [page, summary] = await Promise.all([
      searchEvents(ledger, principal, filter, { ...opts, cursor }),
      summarizeEvents(ledger, principal, filter),
    ]);
    return (
      <main className="explorer">
        <Explorer
          query={canonicalParams(sp).toString()}
          filter={filter}
          range={state.value.range}
          tz={state.value.tz}
          sort={opts.sort}
          cursor={cursor ?? null}
          items={page.items}
          nextCursor={page.nextCursor}
          summary={summary}
          canExport={can(principal.role, "bundles:create")}
        />
      </main>
    );
  } catch (e) {
    // A stale or foreign cursor is the user's URL, not a server fault.
    if (e instanceof AppError && e.status === 400) {
      return (
        <main className="explorer">
          <FilterErrors errors={[{ param: "cursor", detail: e.detail }]} />
        </main>
      );
    }
    throw e;
  }
}
