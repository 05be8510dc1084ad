// POST /api/v1/events — ingest events (SPEC §1)
// GET  /api/v1/events — filtered, keyset-paged entries for scripts and SIEMs (events:read)
import { eventServerRoutes } from "@/lib/server/events/server-routes.ts";
import { serverRoutes } from "@/lib/server/http/server-routes.ts";

export const dynamic = "force-dynamic";

export const POST = serverRoutes.postEvents;
export const GET = eventServerRoutes.list;
