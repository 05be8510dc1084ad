// GET /api/v1/proofs/consistency — RFC 9162 consistency proof
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.proofs.consistency;
