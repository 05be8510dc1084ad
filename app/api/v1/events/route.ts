// POST /api/v1/events — ingest events (SPEC §1)
import { serverRoutes } from "@/lib/server/http/server-routes.ts";

export const dynamic = "force-dynamic";

export const POST = serverRoutes.postEvents;
