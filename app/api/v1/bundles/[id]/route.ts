// GET /api/v1/bundles/{id} — one bundle's status, progress, size and sha256 (bundles:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.bundles.get;
