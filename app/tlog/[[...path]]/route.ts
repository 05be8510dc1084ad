// GET /tlog/<path> — C2SP tlog-tiles: checkpoint, hash tiles (public), entry bundles (read token)
import { tlogServerRoutes } from "@/lib/server/tlog/server-routes.ts";

export const dynamic = "force-dynamic";

export const GET = tlogServerRoutes.get;
