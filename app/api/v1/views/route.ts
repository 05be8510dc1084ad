// GET /api/v1/views — saved views the caller may open; POST /api/v1/views — save one (views:manage)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.views.list;
export const POST = api.views.create;
