// POST /api/v1/bundles — queue an evidence bundle of the entries matching {"filter": …} (bundles:create)
// GET  /api/v1/bundles — the latest bundles with status and progress (bundles:read)
import { bundleServerRoutes } from "@/lib/server/bundles/server-routes.ts";

export const dynamic = "force-dynamic";

export const POST = bundleServerRoutes.create;
export const GET = bundleServerRoutes.list;
