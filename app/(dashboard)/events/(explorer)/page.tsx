import "@/components/events/explorer.css";
import { cookies } from "next/headers";
import { forbidden } from "next/navigation";
import { Explorer } from "@/components/events/explorer.tsx";
import { canonicalParams, resolveExplorerParams } from "@/components/events/explorer-params.ts";
import { FilterErrors } from "@/components/events/filter-errors.tsx";
import { ZONE_COOKIE, zoneChoice } from "@/components/events/zone-choice.ts";
import type { FilterIssue } from "@/lib/schemas/event-filter.ts";
import { can } from "@/lib/server/auth/permissions.ts";
import { pagePrincipal } from "@/lib/server/auth/session.ts";
import { AppError } from "@/lib/server/errors.ts";
import { searchEvents, summarizeEvents } from "@/lib/server/events/search.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { listViews } from "@/lib/server/views/service.ts";
import { deleteViewAction, saveViewAction, updateViewAction } from "./actions.ts";

export const dynamic = "force-dynamic";

type SearchParams = Record<string, string | string[] | undefined>;

function toSearchParams(raw: SearchParams): URLSearchParams {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(raw))
    for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) sp.append(k, one);
  return sp;
}

/**
 * The URL resolved against the server's clock: a preset becomes absolute bounds
 * once, for the table and the charts. A link with a bad parameter still shows the
 * explorer: the named parameters are left out (never widened silently — the page
 * says which, and marks their fields); only a problem no parameter names stops it.
 */
function resolveAtNow(sp: URLSearchParams) {
  const now = Date.now();
  const first = resolveExplorerParams(sp, now);
  if (first.ok) return { state: first, urlErrors: [] as FilterIssue[], kept: sp };
  const kept = new URLSearchParams(sp);
  for (const e of first.errors) kept.delete(e.param);
  const second = resolveExplorerParams(kept, now);
  // The next change of filter starts from the kept parameters, so the bad ones leave the URL.
  return second.ok ? { state: second, urlErrors: first.errors, kept } : { state: first, urlErrors: first.errors, kept };
}

/** The table's page, or the user-facing problem with the URL (a stale or foreign cursor is not a server fault). */
async function searchOrProblem(...args: Parameters<typeof searchEvents>) {
  try {
    return { page: await searchEvents(...args), problem: null };
  } catch (e) {
    if (e instanceof AppError && e.status === 400) return { page: null, problem: e.detail };
    throw e;
  }
}

// The explorer: the URL is parsed once, a preset is resolved to absolute bounds
// once, and that one filter feeds the table and the charts.
export default async function EventsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const { principal, allowed } = await pagePrincipal("/events", "events:read");
  if (!allowed) forbidden(); // layout.tsx answered 403 already; kept so the page is safe on its own
  const sp = toSearchParams(await searchParams);
  const { state, urlErrors, kept } = resolveAtNow(sp);
  if (!state.ok)
    return (
      <main className="explorer">
        <FilterErrors errors={state.errors} />
      </main>
    );
  const { filter, cursor, ...opts } = state.value.request;
  const rt = await getRuntime();
  // Not awaited: the explorer streams the charts in under <Suspense key={query}>
  // (components/events/explorer.tsx); a failure there reaches events/error.tsx.
  const summary = summarizeEvents(rt, principal, filter);
  summary.catch(() => undefined); // handled by the boundary, not an unhandled rejection
  // If the search cannot record itself in the ledger it throws, and nothing is shown (fail closed).
  const { page, problem } = await searchOrProblem(rt, principal, filter, { ...opts, cursor });
  if (!page)
    return (
      <main className="explorer">
        <FilterErrors errors={[{ param: "cursor", detail: problem }]} />
      </main>
    );
  const views = await listViews(rt, principal);
  const viewId = kept.get("view");
  return (
    <main className="explorer">
      <Explorer
        query={canonicalParams(kept).toString()}
        filter={filter}
        range={state.value.range}
        tz={zoneChoice(kept.get("tz"), (await cookies()).get(ZONE_COOKIE)?.value)}
        ownActivity={state.value.ownActivity}
        urlErrors={urlErrors}
        sort={opts.sort}
        cursor={cursor ?? null}
        items={page.items}
        nextCursor={page.nextCursor}
        summary={summary}
        canExport={can(principal.role, "bundles:create")}
        views={views}
        activeView={views.find((v) => v.id === viewId) ?? null}
        canSaveViews={can(principal.role, "views:manage")}
        viewActions={{ save: saveViewAction, update: updateViewAction, remove: deleteViewAction }}
      />
    </main>
  );
}
