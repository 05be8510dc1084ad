// GET /api/v1/me — who the caller is (session or personal read token) and what its role allows.
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.me.get;
