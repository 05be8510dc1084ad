// GET /api/v1/bundles/{id}/download — the bundle's ZIP, streamed (bundles:read; audited)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.bundles.download;
