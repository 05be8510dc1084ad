// GET /api/v1/checkpoint — latest signed checkpoint (public)
import { serverRoutes } from "@/lib/server/http/server-routes.ts";

export const dynamic = "force-dynamic";

export const GET = serverRoutes.getCheckpoint;
