// GET /api/v1/proofs/inclusion — RFC 9162 inclusion proof
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.proofs.inclusion;
