// GET /api/v1/events/summary — histogram by outcome and top requesters/targets for a filter (events:read)
import { eventServerRoutes } from "@/lib/server/events/server-routes.ts";

export const dynamic = "force-dynamic";

export const GET = eventServerRoutes.summary;
