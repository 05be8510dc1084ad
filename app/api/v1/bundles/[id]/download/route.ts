// GET /api/v1/bundles/{id}/download — the bundle's ZIP, streamed (bundles:read; audited)
import { bundleServerRoutes } from "@/lib/server/bundles/server-routes.ts";

export const dynamic = "force-dynamic";

export const GET = bundleServerRoutes.download;
