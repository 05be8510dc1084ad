// GET /api/v1/events/{seq} — one entry with its canonical JSON, leaf hash and covering checkpoint (events:read)
import { eventServerRoutes } from "@/lib/server/events/server-routes.ts";

export const dynamic = "force-dynamic";

export const GET = eventServerRoutes.get;
