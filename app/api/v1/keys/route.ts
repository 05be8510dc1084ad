// GET /api/v1/keys — current and retired signing keys (public)
import { serverRoutes } from "@/lib/server/http/server-routes.ts";

export const dynamic = "force-dynamic";

export const GET = serverRoutes.getKeys;
