// GET /api/v1/events/export — the filter's entries as CSV or NDJSON, streamed (events:read; audited; bounded)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.events.export;
