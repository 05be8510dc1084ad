import { notFound } from "next/navigation";
import { checkCorrelationId } from "@/lib/schemas/correlation-id.ts";
import { requirePagePermission } from "@/lib/server/auth/page-access.ts";
import { decodeParam } from "./decode-param.ts";

// Decided above the timeline's loading.tsx, while the HTTP status can still
// change: 403 for a role that may not read traces, 404 for an id no entry could
// carry. (A valid id with no entries is an answer, not an error: the page says
// so with 200, as GET /api/v1/traces/{id} does — its services may report later.)
export default async function TimelineLayout({
  children,
  params,
}: {
  children: React.ReactNode;
  params: Promise<{ correlationId: string }>;
}) {
  const id = decodeParam((await params).correlationId);
  await requirePagePermission(`/trace/${encodeURIComponent(id)}`, "traces:read");
  if (!checkCorrelationId(id).ok) notFound();
  return children;
}
