// GET /api/v1/integrity/runs/{id} — one verification run with its progress (integrity:read)
import { integrityServerRoutes } from "@/lib/server/integrity/server-routes.ts";

export const dynamic = "force-dynamic";

export const GET = integrityServerRoutes.getRun;
