// GET /api/v1/traces — find traces: recent, by service, time range and status, keyset pages (traces:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.traces.list;
