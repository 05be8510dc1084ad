// GET /api/v1/integrity/runs/{id} — one verification run with its progress (integrity:read)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const GET = api.integrity.getRun;
