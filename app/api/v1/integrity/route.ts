// GET /api/v1/integrity — verification status, verifier key, checkpoint and run history (integrity:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.integrity.get;
