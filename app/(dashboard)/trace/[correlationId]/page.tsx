import { cookies } from "next/headers";
import { forbidden, notFound, redirect } from "next/navigation";
import { ZONE_COOKIE, zoneChoice } from "@/components/events/zone-choice.ts";
import { TracePageView } from "@/components/trace/trace-page-view.tsx";
import { pagePrincipal } from "@/lib/server/auth/session.ts";
import { can } from "@/lib/server/auth/permissions.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { checkCorrelationId } from "@/lib/schemas/correlation-id.ts";
import { resolveTraceId } from "@/lib/server/traces/search.ts";
import { viewTrace } from "@/lib/server/traces/trace.ts";
import "@/components/trace/trace.css";
import { decodeParam } from "./decode-param.ts";

export const dynamic = "force-dynamic";

export default async function TracePage({
  params,
  searchParams,
}: {
  params: Promise<{ correlationId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const raw = (await params).correlationId;
  const correlationId = decodeParam(raw);
  const { principal, allowed } = await pagePrincipal(`/trace/${encodeURIComponent(correlationId)}`, "traces:read");
  // layout.tsx answered 403/404 already (with the right status); these only keep the page safe on its own.
  if (!allowed) forbidden();
  const id = checkCorrelationId(correlationId);
  if (!id.ok) notFound();
  const rt = await getRuntime();
  // An upper-case W3C trace-id in a link opens the lower-case trace ingest stored.
  const stored = await resolveTraceId(rt, principal, id.value);
  if (stored !== id.value) redirect(`/trace/${encodeURIComponent(stored)}`);
  // viewTrace records the view in the ledger first (fail closed).
  const trace = await viewTrace(rt, principal, id.value);
  // A link's `tz` wins over the remembered choice, as on the explorer (a shared link shows what its author saw).
  const tzParam = (await searchParams).tz;
  const tz = zoneChoice(typeof tzParam === "string" ? tzParam : null, (await cookies()).get(ZONE_COOKIE)?.value);
  return <TracePageView trace={trace} canExport={can(principal.role, "bundles:create")} tz={tz} />;
}
