// GET /api/v1/events/summary — histogram by outcome and top requesters/targets for a filter (events:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.events.summary;
