// GET /api/v1/traces/{correlationId} — one request across the fleet: ordered entries and the service graph (traces:read)
import { traceServerRoutes } from "@/lib/server/traces/server-routes.ts";

export const dynamic = "force-dynamic";

export const GET = traceServerRoutes.get;
