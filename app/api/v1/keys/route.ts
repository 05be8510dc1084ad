// GET /api/v1/keys — current and retired signing keys (public)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.keys.get;
