// GET /api/v1/integrity — verification status, verifier key, checkpoint and run history (integrity:read)
import { integrityServerRoutes } from "@/lib/server/integrity/server-routes.ts";

export const dynamic = "force-dynamic";

export const GET = integrityServerRoutes.getStatus;
