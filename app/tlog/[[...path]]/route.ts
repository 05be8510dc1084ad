// GET /tlog/<path> — C2SP tlog-tiles: checkpoint, hash tiles (public), entry bundles (read token)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.tlog.get;
