// GET /api/v1/events/tail — live tail of a filter: start (recorded once), then poll for new entries (events:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.events.tail;
