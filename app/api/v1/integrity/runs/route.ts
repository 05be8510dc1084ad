// POST /api/v1/integrity/runs — start a full verification pass (integrity:run; 202 {id}; 409 while one runs)
import { api } from "@/lib/server/http/api.ts";

export const dynamic = "force-dynamic";

export const POST = api.integrity.startRun;
