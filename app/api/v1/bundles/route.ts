// POST /api/v1/bundles — queue an evidence bundle of the entries matching {"filter": …} (bundles:create)
// GET  /api/v1/bundles — the latest bundles with status and progress (bundles:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.bundles.create;
export const GET = api.bundles.list;
