// GET /api/v1/traces/{correlationId} — one request across the fleet: ordered entries and the service graph (traces:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.traces.get;
