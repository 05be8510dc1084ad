// GET /api/v1/bundles/{id} — one bundle's status, progress, size and sha256 (bundles:read)
import { bundleServerRoutes } from "@/lib/server/bundles/server-routes.ts";

export const dynamic = "force-dynamic";

export const GET = bundleServerRoutes.get;
