// GET /api/v1/proofs/inclusion — RFC 9162 inclusion proof
import { serverRoutes } from "@/lib/server/http/server-routes.ts";

export const dynamic = "force-dynamic";

export const GET = serverRoutes.getInclusionProof;
