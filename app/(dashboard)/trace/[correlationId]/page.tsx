import { Forbidden } from "@/components/layout/forbidden.tsx";
import { TracePageView } from "@/components/trace/trace-page-view.tsx";
import { TraceSearch } from "@/components/trace/trace-search.tsx";
import { pagePrincipal } from "@/lib/server/auth/session.ts";
import { can } from "@/lib/server/auth/permissions.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { checkCorrelationId } from "@/lib/schemas/correlation-id.ts";
import { viewTrace } from "@/lib/server/traces/trace.ts";
import "@/components/trace/trace.css";

export const dynamic = "force-dynamic";

// Page params arrive percent-encoded (route handlers get them decoded): decode once.
function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export default async function TracePage({ params }: { params: Promise<{ correlationId: string }> }) {
  const raw = (await params).correlationId;
  const correlationId = decodeParam(raw);
  const { principal, allowed } = await pagePrincipal(`/trace/${encodeURIComponent(correlationId)}`, "traces:read");
  if (!allowed) return <Forbidden what="viewing traces" />;
  const id = checkCorrelationId(correlationId);
  if (!id.ok) {
    return (
      <main className="trace-page">
        <section className="card stack" data-testid="trace-invalid">
          <h1 className="trace-title">Not a correlation id</h1>
          <p className="bad">No entry can carry this id: it {id.detail}.</p>
          <TraceSearch />
        </section>
      </main>
    );
  }
  // viewTrace records the view in the ledger first (fail closed).
  const trace = await viewTrace(await getRuntime(), principal, id.value);
  return <TracePageView trace={trace} canExport={can(principal.role, "bundles:create")} />;
}
