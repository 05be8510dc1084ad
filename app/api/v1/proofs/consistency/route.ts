// GET /api/v1/proofs/consistency — RFC 9162 consistency proof
import { serverRoutes } from "@/lib/server/http/server-routes.ts";

export const dynamic = "force-dynamic";

export const GET = serverRoutes.getConsistencyProof;
