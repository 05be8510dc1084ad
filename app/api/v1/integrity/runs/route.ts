// POST /api/v1/integrity/runs — start a full verification pass (integrity:run; 202 {id}; 409 while one runs)
import { integrityServerRoutes } from "@/lib/server/integrity/server-routes.ts";

export const dynamic = "force-dynamic";

export const POST = integrityServerRoutes.postRun;
